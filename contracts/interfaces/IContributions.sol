// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IContributions
/// @notice A contribution registers data stored off chain: the sha256 of the exact stored bytes,
/// its content id and a metadata document, under one Datanet.
interface IContributions {
    /// @notice Lifecycle of a contribution.
    enum ContributionStatus {
        None,
        Pending,
        Accepted,
        Rejected,
        Withdrawn
    }

    /// @notice Thrown when a contribution id does not exist.
    /// @param contributionId The unknown id.
    error ContributionNotFound(uint256 contributionId);
    /// @notice Thrown when the content hash is zero.
    error EmptyContentHash();
    /// @notice Thrown when the content id is empty.
    error EmptyContentId();
    /// @notice Thrown when a contribution is not in the status the action needs.
    /// @param contributionId The contribution.
    /// @param status Its current status.
    error InvalidContributionStatus(uint256 contributionId, ContributionStatus status);
    /// @notice Thrown when someone other than the contributor withdraws.
    /// @param contributionId The contribution.
    /// @param caller The caller.
    error NotContributor(uint256 contributionId, address caller);
    /// @notice Thrown when a review batch is empty or larger than the gas bound allows.
    /// @param size The batch's size.
    /// @param maxSize The largest batch accepted.
    error InvalidBatchSize(uint256 size, uint256 maxSize);

    /// @notice Emitted when a contribution is registered.
    /// @param contributionId The new id.
    /// @param datanetId The Datanet it belongs to.
    /// @param contributor The account that registered it.
    /// @param contentHash sha256 of the exact stored bytes.
    /// @param contentId The content id (CID) of those bytes in the content store.
    /// @param metadataURI Content-addressed metadata (title, format, record count, byte size...).
    /// @param status Pending in a curated Datanet, Accepted in an open one.
    event ContributionRegistered(
        uint256 indexed contributionId,
        uint256 indexed datanetId,
        address indexed contributor,
        bytes32 contentHash,
        string contentId,
        string metadataURI,
        ContributionStatus status
    );
    /// @notice Emitted when a contribution is accepted, rejected or withdrawn.
    /// @param contributionId The contribution.
    /// @param datanetId Its Datanet.
    /// @param actor The approver, or the contributor for a withdrawal.
    /// @param status The new status.
    /// @param reason Free-text reason (may be empty).
    event ContributionStatusChanged(
        uint256 indexed contributionId,
        uint256 indexed datanetId,
        address indexed actor,
        ContributionStatus status,
        string reason
    );

    /// @notice Emitted for each entry of a review batch that was left alone because it was no
    /// longer pending (or never existed), instead of reverting the whole batch.
    /// @param contributionId The entry.
    /// @param datanetId Its Datanet (0 for an unknown id).
    /// @param approver The reviewing approver.
    /// @param status Its status, unchanged (None for an unknown id).
    event ContributionReviewSkipped(
        uint256 indexed contributionId, uint256 indexed datanetId, address indexed approver, ContributionStatus status
    );

    /// @notice Registers a contribution to a Datanet.
    /// @return contributionId The new id (ids start at 1).
    function contribute(uint256 datanetId, bytes32 contentHash, string calldata contentId, string calldata metadataURI)
        external
        returns (uint256 contributionId);

    /// @notice Status of a contribution (None for an unknown id).
    function contributionStatus(uint256 contributionId) external view returns (ContributionStatus);

    /// @notice The Datanet of a contribution (0 for an unknown id).
    function contributionDatanet(uint256 contributionId) external view returns (uint256);

    /// @notice Number of contributions registered; ids run from 1 to this number.
    function contributionCount() external view returns (uint256);
}
