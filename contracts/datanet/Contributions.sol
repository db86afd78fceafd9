// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IContributions} from "../interfaces/IContributions.sol";
import {Datanets} from "./Datanets.sol";

/// @title Contributions
/// @notice Contribution records and their review. State keeps one packed slot per contribution
/// (contributor, Datanet, status): what later transactions check. The content hash, CID and
/// metadata live in the registration event, committed in the block's receipts, which is what
/// trainers and the index read; a second slot for the hash would cost 22k gas per contribution.
abstract contract Contributions is IContributions, Datanets {
    /// @notice Largest accept/reject batch, so a review transaction's gas stays bounded.
    uint256 public constant MAX_REVIEW_BATCH = 100;

    /// @dev Datanet ids are sequential from 1, so uint64 cannot overflow in practice.
    struct Contribution {
        address contributor;
        uint64 datanetId;
        ContributionStatus status;
    }

    uint256 private _contributionCount;
    mapping(uint256 contributionId => Contribution) private _contributions;

    /// @inheritdoc IContributions
    function contribute(uint256 datanetId, bytes32 contentHash, string calldata contentId, string calldata metadataURI)
        external
        returns (uint256 contributionId)
    {
        Datanet storage d = _datanet(datanetId);
        if (contentHash == bytes32(0)) revert EmptyContentHash();
        if (bytes(contentId).length == 0) revert EmptyContentId();
        ContributionStatus status =
            d.contributionPolicy == ContributionPolicy.Curated ? ContributionStatus.Pending : ContributionStatus.Accepted;
        contributionId = ++_contributionCount;
        _contributions[contributionId] = Contribution(msg.sender, uint64(datanetId), status);
        emit ContributionRegistered(contributionId, datanetId, msg.sender, contentHash, contentId, metadataURI, status);
    }

    /// @notice Accepts pending contributions, skipping (and reporting) entries no longer pending.
    /// The caller must approve for each existing entry's Datanet.
    function acceptContributions(uint256[] calldata contributionIds) external {
        _review(contributionIds, ContributionStatus.Accepted, "");
    }

    /// @notice Rejects pending contributions with a reason shown to the contributors, skipping
    /// (and reporting) entries no longer pending.
    function rejectContributions(uint256[] calldata contributionIds, string calldata reason) external {
        _review(contributionIds, ContributionStatus.Rejected, reason);
    }

    /// @notice Withdraws a contribution: it leaves every future job and the retrieval index.
    /// Contributor only; any status but Withdrawn.
    function withdrawContribution(uint256 contributionId) external {
        Contribution storage c = _contribution(contributionId);
        if (c.contributor != msg.sender) revert NotContributor(contributionId, msg.sender);
        if (c.status == ContributionStatus.Withdrawn) revert InvalidContributionStatus(contributionId, c.status);
        c.status = ContributionStatus.Withdrawn;
        emit ContributionStatusChanged(contributionId, c.datanetId, msg.sender, ContributionStatus.Withdrawn, "");
    }

    /// @notice A contribution's contributor, Datanet and status.
    function getContribution(uint256 contributionId)
        external
        view
        returns (address contributor, uint256 datanetId, ContributionStatus status)
    {
        Contribution storage c = _contribution(contributionId);
        return (c.contributor, c.datanetId, c.status);
    }

    /// @inheritdoc IContributions
    function contributionStatus(uint256 contributionId) external view returns (ContributionStatus) {
        return _contributions[contributionId].status;
    }

    /// @inheritdoc IContributions
    function contributionDatanet(uint256 contributionId) external view returns (uint256) {
        return _contributions[contributionId].datanetId;
    }

    /// @inheritdoc IContributions
    function contributionCount() external view returns (uint256) {
        return _contributionCount;
    }

    /// @dev Moves pending contributions to `status`. An entry that is no longer pending (a
    /// contributor withdrew it just before the batch landed, another approver reviewed it) or
    /// that does not exist is skipped and reported with {ContributionReviewSkipped}, so one entry
    /// cannot make the whole batch revert. The approver check still covers every existing entry;
    /// it is repeated only when the Datanet changes between consecutive ids, which keeps
    /// same-Datanet batches cheap.
    function _review(uint256[] calldata ids, ContributionStatus status, string memory reason) private {
        uint256 n = ids.length;
        if (n == 0 || n > MAX_REVIEW_BATCH) revert InvalidBatchSize(n, MAX_REVIEW_BATCH);
        uint256 checkedDatanet;
        for (uint256 i; i < n; ++i) {
            uint256 id = ids[i];
            Contribution storage c = _contributions[id];
            if (c.contributor == address(0)) {
                emit ContributionReviewSkipped(id, 0, msg.sender, ContributionStatus.None);
                continue;
            }
            uint256 datanetId = c.datanetId;
            if (datanetId != checkedDatanet) {
                _checkApprover(datanetId);
                checkedDatanet = datanetId;
            }
            ContributionStatus current = c.status;
            if (current != ContributionStatus.Pending) {
                emit ContributionReviewSkipped(id, datanetId, msg.sender, current);
                continue;
            }
            c.status = status;
            emit ContributionStatusChanged(id, datanetId, msg.sender, status, reason);
        }
    }

    /// @dev The contribution record, reverting for an unknown id.
    function _contribution(uint256 contributionId) private view returns (Contribution storage c) {
        c = _contributions[contributionId];
        if (c.contributor == address(0)) revert ContributionNotFound(contributionId);
    }
}
