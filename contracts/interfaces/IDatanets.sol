// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IDatanets
/// @notice A Datanet is a curated dataset: an owner, approvers, a metadata document and two
/// policies, one for who may use its data and one for how contributions are admitted.
interface IDatanets {
    /// @notice Who may use a Datanet's data.
    enum AccessPolicy {
        Open,
        Permissioned
    }

    /// @notice How contributions enter a Datanet.
    enum ContributionPolicy {
        Open,
        Curated
    }

    /// @notice Thrown when a Datanet id does not exist.
    /// @param datanetId The unknown id.
    error DatanetNotFound(uint256 datanetId);
    /// @notice Thrown when the caller is not the Datanet's owner.
    /// @param datanetId The Datanet.
    /// @param caller The caller.
    error NotDatanetOwner(uint256 datanetId, address caller);
    /// @notice Thrown when the caller is neither an approver nor the owner of the Datanet.
    /// @param datanetId The Datanet.
    /// @param caller The caller.
    error NotDatanetApprover(uint256 datanetId, address caller);
    /// @notice Thrown when a metadata URI is empty.
    error EmptyMetadataURI();
    /// @notice Thrown when an address argument is the zero address.
    error ZeroAddress();
    /// @notice Thrown when adding an approver that already is one.
    /// @param datanetId The Datanet.
    /// @param approver The address.
    error AlreadyApprover(uint256 datanetId, address approver);
    /// @notice Thrown when removing an address that is not an approver.
    /// @param datanetId The Datanet.
    /// @param approver The address.
    error NotAnApprover(uint256 datanetId, address approver);
    /// @notice Thrown when accepting ownership without being the pending owner.
    /// @param datanetId The Datanet.
    /// @param caller The caller.
    error NotPendingOwner(uint256 datanetId, address caller);

    /// @notice Emitted when a Datanet is created.
    /// @param datanetId The new id.
    /// @param owner The creator and owner.
    /// @param metadataURI Content-addressed metadata document (name, description, domain, schema).
    /// @param license SPDX license identifier of the data.
    /// @param accessPolicy Who may use the data.
    /// @param contributionPolicy How contributions are admitted.
    event DatanetCreated(
        uint256 indexed datanetId,
        address indexed owner,
        string metadataURI,
        string license,
        AccessPolicy accessPolicy,
        ContributionPolicy contributionPolicy
    );
    /// @notice Emitted when a Datanet's metadata document or license changes.
    /// @param datanetId The Datanet.
    /// @param metadataURI The new metadata URI.
    /// @param license The new license.
    event DatanetMetadataUpdated(uint256 indexed datanetId, string metadataURI, string license);
    /// @notice Emitted when a Datanet's policies change.
    /// @param datanetId The Datanet.
    /// @param accessPolicy The new access policy.
    /// @param contributionPolicy The new contribution policy.
    event DatanetPoliciesUpdated(
        uint256 indexed datanetId, AccessPolicy accessPolicy, ContributionPolicy contributionPolicy
    );
    /// @notice Emitted when an approver is added.
    /// @param datanetId The Datanet.
    /// @param approver The new approver.
    event ApproverAdded(uint256 indexed datanetId, address indexed approver);
    /// @notice Emitted when an approver is removed.
    /// @param datanetId The Datanet.
    /// @param approver The removed approver.
    event ApproverRemoved(uint256 indexed datanetId, address indexed approver);
    /// @notice Emitted when the owner proposes a new owner.
    /// @param datanetId The Datanet.
    /// @param owner The current owner.
    /// @param pendingOwner The proposed owner, who must accept.
    event DatanetOwnershipTransferStarted(uint256 indexed datanetId, address indexed owner, address indexed pendingOwner);
    /// @notice Emitted when accepting ownership clears the approver set.
    /// @param datanetId The Datanet.
    /// @param approverEpoch The new, empty approver set's number.
    event ApproversCleared(uint256 indexed datanetId, uint32 approverEpoch);
    /// @notice Emitted when ownership changes hands.
    /// @param datanetId The Datanet.
    /// @param previousOwner The former owner.
    /// @param newOwner The new owner.
    event DatanetOwnershipTransferred(uint256 indexed datanetId, address indexed previousOwner, address indexed newOwner);

    /// @notice Creates a Datanet owned by the caller.
    /// @return datanetId The new Datanet's id (ids start at 1).
    function createDatanet(
        string calldata metadataURI,
        string calldata license,
        AccessPolicy accessPolicy,
        ContributionPolicy contributionPolicy
    ) external returns (uint256 datanetId);

    /// @notice The owner of a Datanet (reverts for an unknown id).
    function datanetOwner(uint256 datanetId) external view returns (address);

    /// @notice Whether `account` may approve for the Datanet (the owner always may).
    function isApprover(uint256 datanetId, address account) external view returns (bool);
}
