// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IDatanets} from "../interfaces/IDatanets.sol";

/// @title Datanets
/// @notice Datanet records: owner (with two-step transfer), approvers, metadata and policies.
/// The metadata URI and license live in events only; the index serves them.
abstract contract Datanets is IDatanets {
    /// @dev One storage slot per Datanet: owner, both policies, and since when the owner owns it
    /// (its signed grants issued earlier do not count: see {approverSince}).
    struct Datanet {
        address owner;
        AccessPolicy accessPolicy;
        ContributionPolicy contributionPolicy;
        uint48 ownerSince;
        uint32 approverEpoch;
    }

    /// @dev An approver's current term: since when (0: none), in which approver set. Accepting
    /// ownership starts a new set (unless the new owner keeps the old one), which ends every
    /// term of the old set at once without enumerating it.
    struct Approver {
        uint64 since;
        uint32 epoch;
    }

    uint256 private _datanetCount;
    mapping(uint256 datanetId => Datanet) private _datanets;
    mapping(uint256 datanetId => address) private _pendingOwners;
    /// @dev When each approver's current term began (0: not an approver). A removed approver
    /// that is added again starts a new term, so signatures of its earlier term stay dead.
    mapping(uint256 datanetId => mapping(address account => Approver)) private _approvers;

    /// @inheritdoc IDatanets
    function createDatanet(
        string calldata metadataURI,
        string calldata license,
        AccessPolicy accessPolicy,
        ContributionPolicy contributionPolicy
    ) external returns (uint256 datanetId) {
        if (bytes(metadataURI).length == 0) revert EmptyMetadataURI();
        datanetId = ++_datanetCount;
        _datanets[datanetId] = Datanet(msg.sender, accessPolicy, contributionPolicy, uint48(block.timestamp), 0);
        emit DatanetCreated(datanetId, msg.sender, metadataURI, license, accessPolicy, contributionPolicy);
    }

    /// @notice Replaces the metadata document and license. Owner only.
    function updateMetadata(uint256 datanetId, string calldata metadataURI, string calldata license) external {
        _checkOwner(datanetId);
        if (bytes(metadataURI).length == 0) revert EmptyMetadataURI();
        emit DatanetMetadataUpdated(datanetId, metadataURI, license);
    }

    /// @notice Changes the access and contribution policies. Owner only. Existing grants stay
    /// and count again if the Datanet later becomes permissioned.
    function setPolicies(uint256 datanetId, AccessPolicy accessPolicy, ContributionPolicy contributionPolicy)
        external
    {
        _checkOwner(datanetId);
        Datanet storage d = _datanets[datanetId];
        d.accessPolicy = accessPolicy;
        d.contributionPolicy = contributionPolicy;
        emit DatanetPoliciesUpdated(datanetId, accessPolicy, contributionPolicy);
    }

    /// @notice Adds an approver. Owner only.
    function addApprover(uint256 datanetId, address approver) external {
        _checkOwner(datanetId);
        if (approver == address(0)) revert ZeroAddress();
        if (_approverTerm(datanetId, approver) != 0) revert AlreadyApprover(datanetId, approver);
        _approvers[datanetId][approver] = Approver(uint64(block.timestamp), _datanets[datanetId].approverEpoch);
        emit ApproverAdded(datanetId, approver);
    }

    /// @notice Removes an approver. Owner only. Grants the approver signed and that were not yet
    /// redeemed stop working for good: redemption needs the signer to be an approver and the
    /// grant to be issued within its current term, and adding it again starts a new term.
    function removeApprover(uint256 datanetId, address approver) external {
        _checkOwner(datanetId);
        if (_approverTerm(datanetId, approver) == 0) revert NotAnApprover(datanetId, approver);
        delete _approvers[datanetId][approver];
        emit ApproverRemoved(datanetId, approver);
    }

    /// @notice Proposes a new owner, who must call {acceptOwnership}. Owner only.
    function transferOwnership(uint256 datanetId, address newOwner) external {
        _checkOwner(datanetId);
        if (newOwner == address(0)) revert ZeroAddress();
        _pendingOwners[datanetId] = newOwner;
        emit DatanetOwnershipTransferStarted(datanetId, msg.sender, newOwner);
    }

    /// @notice Completes a transfer started by {transferOwnership} and clears the approver set:
    /// the seller's approvers (the seller too, if it added itself) lose their role and their
    /// unredeemed signatures at once. Pending owner only.
    function acceptOwnership(uint256 datanetId) external {
        _acceptOwnership(datanetId, false);
    }

    /// @notice Completes a transfer started by {transferOwnership}, keeping the current
    /// approvers explicitly. Pending owner only.
    function acceptOwnershipKeepingApprovers(uint256 datanetId) external {
        _acceptOwnership(datanetId, true);
    }

    function _acceptOwnership(uint256 datanetId, bool keepApprovers) private {
        if (_pendingOwners[datanetId] != msg.sender) revert NotPendingOwner(datanetId, msg.sender);
        Datanet storage d = _datanets[datanetId];
        address previous = d.owner;
        d.owner = msg.sender;
        d.ownerSince = uint48(block.timestamp);
        if (!keepApprovers) {
            uint32 epoch = d.approverEpoch + 1;
            d.approverEpoch = epoch;
            emit ApproversCleared(datanetId, epoch);
        }
        delete _pendingOwners[datanetId];
        emit DatanetOwnershipTransferred(datanetId, previous, msg.sender);
    }

    /// @inheritdoc IDatanets
    function datanetOwner(uint256 datanetId) external view returns (address) {
        return _datanet(datanetId).owner;
    }

    /// @notice The proposed owner of a Datanet, or zero.
    function pendingOwner(uint256 datanetId) external view returns (address) {
        return _pendingOwners[datanetId];
    }

    /// @notice Both policies of a Datanet (reverts for an unknown id).
    function datanetPolicies(uint256 datanetId) external view returns (AccessPolicy, ContributionPolicy) {
        Datanet storage d = _datanet(datanetId);
        return (d.accessPolicy, d.contributionPolicy);
    }

    /// @notice Number of Datanets created; ids run from 1 to this number.
    function datanetCount() external view returns (uint256) {
        return _datanetCount;
    }

    /// @inheritdoc IDatanets
    function isApprover(uint256 datanetId, address account) public view returns (bool) {
        return _datanet(datanetId).owner == account || _approverTerm(datanetId, account) != 0;
    }

    /// @notice Since when `account` may approve for the Datanet: the owner since it took
    /// ownership, an approver since it was (last) added; 0 when it may not. Signed grants issued
    /// before this moment are refused.
    function approverSince(uint256 datanetId, address account) public view returns (uint64) {
        Datanet storage d = _datanet(datanetId);
        return d.owner == account ? d.ownerSince : _approverTerm(datanetId, account);
    }

    /// @dev Start of `account`'s term as an added approver of the current set, or 0.
    function _approverTerm(uint256 datanetId, address account) private view returns (uint64) {
        Approver memory a = _approvers[datanetId][account];
        return a.epoch == _datanets[datanetId].approverEpoch ? a.since : 0;
    }

    /// @dev The Datanet record, reverting for an unknown id.
    function _datanet(uint256 datanetId) internal view returns (Datanet storage d) {
        d = _datanets[datanetId];
        if (d.owner == address(0)) revert DatanetNotFound(datanetId);
    }

    /// @dev Reverts unless the caller owns the Datanet.
    function _checkOwner(uint256 datanetId) internal view {
        if (_datanet(datanetId).owner != msg.sender) revert NotDatanetOwner(datanetId, msg.sender);
    }

    /// @dev Reverts unless the caller may approve for the Datanet.
    function _checkApprover(uint256 datanetId) internal view {
        if (!isApprover(datanetId, msg.sender)) revert NotDatanetApprover(datanetId, msg.sender);
    }
}
