// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IAccessGrants} from "../interfaces/IAccessGrants.sol";
import {IContributions} from "../interfaces/IContributions.sol";
import {ITrainerRegistry} from "../interfaces/ITrainerRegistry.sol";
import {ITrainingJobs} from "../interfaces/ITrainingJobs.sol";
import {Manifest} from "../libraries/Manifest.sol";
import {Scopes} from "../libraries/Scopes.sol";

/// @title TrainingJobs
/// @notice Jobs from creation to completion, and the models completed jobs register. Exactly one
/// trainer holds a claim at a time; a claim is a lease that the trainer renews up to a bounded
/// total claim life, and anyone may release it once it lapses (or at once when its trainer was
/// removed) so another node can take the job. Acting on a claim needs an admitted trainer: a
/// removed one can do nothing with its claims; a paused one (switched off by its operator) may
/// still renew, complete, fail or release what it holds, and only stops claiming new jobs.
contract TrainingJobs is ITrainingJobs, AccessControl {
    /// @notice Largest number of Datanets per job, bounding the access-check loop.
    uint256 public constant MAX_DATANETS = 16;
    /// @notice Bounds of the claim lease.
    uint64 public constant MIN_LEASE = 5 minutes;
    uint64 public constant MAX_LEASE = 30 days;
    /// @notice Bounds of the total claim life (first claim to last moment a renewal reaches).
    uint64 public constant MIN_CLAIM_LIFE = 1 hours;
    uint64 public constant MAX_CLAIM_LIFE = 180 days;

    /// @dev Header slot: builder, state, snapshot block, number of Datanets. Claim slot: trainer,
    /// lease end, end of the first lease, end of the claim's life (uint32 seconds last until
    /// 2106). The Datanet ids are kept too, four uint64 per slot, for the access re-check at
    /// completion and for manifest challenges.
    struct Job {
        address builder;
        JobState state;
        uint64 snapshotBlock;
        uint8 datanetCount;
        address trainer;
        uint32 leaseExpiresAt;
        uint32 firstLeaseEndsAt;
        uint32 claimEndsAt;
        bytes32 specHash;
    }

    /// @dev First slot: job id (sequential, so uint64 cannot overflow in practice) and the
    /// trainer, read together by the attribution ledger.
    struct Model {
        uint64 jobId;
        address trainer;
        bool manifestChallenged;
        bytes32 manifestRoot;
        bytes32 adapterHash;
    }

    IAccessGrants public immutable datanets;
    ITrainerRegistry public immutable trainers;

    uint64 private _leaseDuration = 1 days;
    uint64 private _maxClaimLife = 7 days;
    uint256 private _jobCount;
    uint256 private _modelCount;
    mapping(uint256 jobId => Job) private _jobs;
    mapping(uint256 jobId => mapping(uint256 word => uint256 ids)) private _jobDatanets;
    mapping(uint256 modelId => Model) private _models;

    /// @param datanetRegistry The DatanetRegistry answering `hasAccess`.
    /// @param trainerRegistry The TrainerRegistry answering `isActiveTrainer`.
    /// @param admin May change the lease duration and the claim life.
    constructor(IAccessGrants datanetRegistry, ITrainerRegistry trainerRegistry, address admin) {
        datanets = datanetRegistry;
        trainers = trainerRegistry;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Creates a job over `datanetIds` (strictly increasing), for which the caller must
    /// hold train access now. The current block becomes the data snapshot.
    function createJob(uint256[] calldata datanetIds, string calldata specURI, bytes32 specHash)
        external
        returns (uint256 jobId)
    {
        uint256 n = datanetIds.length;
        if (n == 0 || n > MAX_DATANETS) revert InvalidDatanetCount(n, MAX_DATANETS);
        if (specHash == bytes32(0) || bytes(specURI).length == 0) revert EmptySpec();
        jobId = ++_jobCount;
        uint256 previous;
        uint256 word;
        // Datanet ids are sequential from 1, so they fit 64 bits; n <= 16 fills at most 4 words.
        for (uint256 i; i < n; ++i) {
            uint256 id = datanetIds[i];
            if (id <= previous) revert DatanetsNotSorted(id);
            if (!datanets.hasAccess(id, msg.sender, Scopes.TRAIN)) revert NoTrainAccess(id, msg.sender);
            previous = id;
            word |= id << ((i & 3) * 64);
            if (i & 3 == 3 || i == n - 1) {
                _jobDatanets[jobId][i >> 2] = word;
                word = 0;
            }
        }
        uint64 snapshotBlock = uint64(block.number);
        _jobs[jobId] = Job(msg.sender, JobState.Open, snapshotBlock, uint8(n), address(0), 0, 0, 0, specHash);
        emit JobCreated(jobId, msg.sender, datanetIds, specURI, specHash, snapshotBlock);
    }

    /// @notice Cancels a job that is unclaimed, or whose claim has outlived its first lease (a
    /// node that needed renewals is slow or stuck; the builder need not wait out the claim life).
    /// Builder only.
    function cancelJob(uint256 jobId) external {
        Job storage job = _job(jobId);
        if (job.builder != msg.sender) revert NotJobBuilder(jobId, msg.sender);
        if (job.state == JobState.Claimed) {
            if (block.timestamp <= job.firstLeaseEndsAt) revert ClaimWithinFirstLease(jobId, job.firstLeaseEndsAt);
        } else if (job.state != JobState.Open) {
            revert InvalidJobState(jobId, job.state);
        }
        job.state = JobState.Cancelled;
        emit JobCancelled(jobId);
    }

    /// @notice Claims an open job. Active trainers only; the first claim wins.
    function claimJob(uint256 jobId) external {
        if (!trainers.isActiveTrainer(msg.sender)) revert NotActiveTrainer(msg.sender);
        Job storage job = _jobInState(jobId, JobState.Open);
        uint64 claimEndsAt = uint64(block.timestamp) + _maxClaimLife;
        uint64 leaseExpiresAt = _min(uint64(block.timestamp) + _leaseDuration, claimEndsAt);
        job.state = JobState.Claimed;
        job.trainer = msg.sender;
        job.leaseExpiresAt = uint32(leaseExpiresAt);
        job.firstLeaseEndsAt = uint32(leaseExpiresAt);
        job.claimEndsAt = uint32(claimEndsAt);
        emit JobClaimed(jobId, msg.sender, leaseExpiresAt);
    }

    /// @notice Extends the claim's lease by the lease duration from now, never past the end of
    /// the claim's life. Claiming (admitted) trainer only.
    function renewLease(uint256 jobId) external {
        Job storage job = _claimedBySender(jobId);
        uint64 claimEndsAt = job.claimEndsAt;
        if (block.timestamp >= claimEndsAt) revert ClaimLifeOver(jobId, claimEndsAt);
        uint64 leaseExpiresAt = _min(uint64(block.timestamp) + _leaseDuration, claimEndsAt);
        job.leaseExpiresAt = uint32(leaseExpiresAt);
        emit JobLeaseRenewed(jobId, leaseExpiresAt);
    }

    /// @notice Gives a claimed job back to the open pool. Claiming (admitted) trainer only.
    function releaseJob(uint256 jobId) external {
        _claimedBySender(jobId);
        _release(jobId, false);
    }

    /// @notice Releases a claim whose lease has lapsed, or at once one whose trainer the admin
    /// removed. Anyone may call.
    function releaseStaleClaim(uint256 jobId) external {
        Job storage job = _jobInState(jobId, JobState.Claimed);
        if (block.timestamp <= job.leaseExpiresAt && trainers.isAdmitted(job.trainer)) {
            revert LeaseNotExpired(jobId, job.leaseExpiresAt);
        }
        _release(jobId, true);
    }

    /// @notice Completes a claimed job and registers its model. Claiming (admitted) trainer only;
    /// the builder must still hold train access to every Datanet of the job.
    /// @param adapterCID Content id of the adapter files.
    /// @param adapterHash sha256 of the adapter archive.
    /// @param metricsURI Content-addressed evaluation metrics.
    /// @param manifestRoot Merkle root of the training manifest (see {Manifest}).
    /// @param manifestURI Content-addressed training-manifest document (event only: nothing on
    /// chain reads it, and the index and auditors read the event).
    function completeJob(
        uint256 jobId,
        string calldata adapterCID,
        bytes32 adapterHash,
        string calldata metricsURI,
        bytes32 manifestRoot,
        string calldata manifestURI
    ) external returns (uint256 modelId) {
        Job storage job = _claimedBySender(jobId);
        if (
            bytes(adapterCID).length == 0 || adapterHash == bytes32(0) || manifestRoot == bytes32(0)
                || bytes(manifestURI).length == 0
        ) {
            revert EmptyResult();
        }
        _checkTrainAccess(jobId, job.builder, job.datanetCount);
        job.state = JobState.Completed;
        modelId = ++_modelCount;
        _models[modelId] = Model(uint64(jobId), msg.sender, false, manifestRoot, adapterHash);
        emit JobCompleted(jobId, msg.sender, modelId);
        emit ModelRegistered(
            modelId, jobId, job.builder, msg.sender, adapterCID, adapterHash, metricsURI, manifestRoot, manifestURI
        );
    }

    /// @notice Fails a claimed job with a human-readable reason. Claiming (admitted) trainer only.
    function failJob(uint256 jobId, string calldata reason) external {
        _claimedBySender(jobId).state = JobState.Failed;
        emit JobFailed(jobId, msg.sender, reason);
    }

    /// @notice Sets the claim lease for future claims and renewals. Admin only.
    function setLeaseDuration(uint64 duration) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (duration < MIN_LEASE || duration > MAX_LEASE) revert InvalidLeaseDuration(duration);
        _leaseDuration = duration;
        emit LeaseDurationUpdated(duration);
    }

    /// @notice Sets the total claim life of future claims: no renewal reaches past this long after
    /// the claim. Admin only.
    function setMaxClaimLife(uint64 life) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (life < MIN_CLAIM_LIFE || life > MAX_CLAIM_LIFE) revert InvalidClaimLife(life);
        _maxClaimLife = life;
        emit MaxClaimLifeUpdated(life);
    }

    /// @notice A job's record.
    function getJob(uint256 jobId)
        external
        view
        returns (
            address builder,
            JobState state,
            uint64 snapshotBlock,
            address trainer,
            uint64 leaseExpiresAt,
            bytes32 specHash
        )
    {
        Job storage job = _job(jobId);
        return (job.builder, job.state, job.snapshotBlock, job.trainer, job.leaseExpiresAt, job.specHash);
    }

    /// @notice The Datanets of a job, strictly increasing.
    function jobDatanets(uint256 jobId) public view returns (uint256[] memory ids) {
        uint256 n = _job(jobId).datanetCount;
        ids = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            ids[i] = (_jobDatanets[jobId][i >> 2] >> ((i & 3) * 64)) & type(uint64).max;
        }
    }

    /// @notice When a claimed job's first lease ended and when its claim's life ends (zeros when
    /// unclaimed).
    function claimTimes(uint256 jobId) external view returns (uint64 firstLeaseEndsAt, uint64 claimEndsAt) {
        Job storage job = _job(jobId);
        return (job.firstLeaseEndsAt, job.claimEndsAt);
    }

    /// @notice A model's job, manifest root and adapter hash.
    function getModel(uint256 modelId) external view returns (uint256 jobId, bytes32 manifestRoot, bytes32 adapterHash) {
        Model storage m = _models[modelId];
        if (m.jobId == 0) revert ModelNotFound(modelId);
        return (m.jobId, m.manifestRoot, m.adapterHash);
    }

    /// @inheritdoc ITrainingJobs
    function modelExists(uint256 modelId) external view returns (bool) {
        return _models[modelId].jobId != 0;
    }

    /// @inheritdoc ITrainingJobs
    function modelTrainer(uint256 modelId) external view returns (address) {
        return _models[modelId].trainer;
    }

    /// @inheritdoc ITrainingJobs
    function modelBuilder(uint256 modelId) external view returns (address) {
        uint256 jobId = _models[modelId].jobId;
        return jobId == 0 ? address(0) : _jobs[jobId].builder;
    }

    /// @notice Proves that a contribution (or the spec) is part of a model's training manifest.
    /// @param kind {Manifest.KIND_SPEC} or {Manifest.KIND_CONTRIBUTION}.
    /// @param id The job id for the spec, the contribution id for a contribution.
    /// @param contentHash The spec hash, or the contribution's content hash.
    function verifyManifestEntry(uint256 modelId, uint8 kind, uint256 id, bytes32 contentHash, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        Model storage m = _models[modelId];
        if (m.jobId == 0) revert ModelNotFound(modelId);
        return MerkleProof.verifyCalldata(proof, m.manifestRoot, Manifest.leaf(kind, id, contentHash));
    }

    /// @notice Flags a model whose manifest provably lists a contribution outside the job's
    /// Datanets or an id that was never registered: the proof shows the entry is in the manifest,
    /// the registry shows where the contribution belongs. Anyone may call. What the chain cannot
    /// decide (whether the trainer really trained on exactly the accepted contributions listed)
    /// stays the trainer's word.
    function challengeManifestEntry(uint256 modelId, uint256 contributionId, bytes32 contentHash, bytes32[] calldata proof)
        external
    {
        Model storage m = _models[modelId];
        if (m.jobId == 0) revert ModelNotFound(modelId);
        bytes32 leaf = Manifest.leaf(Manifest.KIND_CONTRIBUTION, contributionId, contentHash);
        if (!MerkleProof.verifyCalldata(proof, m.manifestRoot, leaf)) revert NotInManifest(modelId, contributionId);
        uint256 datanetId = IContributions(address(datanets)).contributionDatanet(contributionId);
        if (datanetId != 0 && _jobHasDatanet(m.jobId, datanetId)) revert ManifestEntryValid(modelId, contributionId);
        m.manifestChallenged = true;
        emit ManifestChallenged(modelId, contributionId, datanetId, msg.sender);
    }

    /// @notice Whether a successful {challengeManifestEntry} flagged the model's manifest.
    function manifestChallenged(uint256 modelId) external view returns (bool) {
        return _models[modelId].manifestChallenged;
    }

    /// @notice Current claim lease in seconds.
    function leaseDuration() external view returns (uint64) {
        return _leaseDuration;
    }

    /// @notice Current total claim life in seconds.
    function maxClaimLife() external view returns (uint64) {
        return _maxClaimLife;
    }

    /// @notice Number of jobs and of models created.
    function counts() external view returns (uint256 jobs, uint256 models) {
        return (_jobCount, _modelCount);
    }

    function _release(uint256 jobId, bool stale) private {
        Job storage job = _jobs[jobId];
        address trainer = job.trainer;
        job.state = JobState.Open;
        job.trainer = address(0);
        job.leaseExpiresAt = 0;
        job.firstLeaseEndsAt = 0;
        job.claimEndsAt = 0;
        emit JobReleased(jobId, trainer, stale);
    }

    /// @dev Reverts unless `builder` holds train access to every Datanet of the job now.
    function _checkTrainAccess(uint256 jobId, address builder, uint256 n) private view {
        uint256 word;
        for (uint256 i; i < n; ++i) {
            if (i & 3 == 0) word = _jobDatanets[jobId][i >> 2];
            uint256 id = (word >> ((i & 3) * 64)) & type(uint64).max;
            if (!datanets.hasAccess(id, builder, Scopes.TRAIN)) revert NoTrainAccess(id, builder);
        }
    }

    /// @dev Whether `datanetId` is one of the job's Datanets (at most 16: a bounded loop).
    function _jobHasDatanet(uint256 jobId, uint256 datanetId) private view returns (bool) {
        uint256 n = _jobs[jobId].datanetCount;
        for (uint256 i; i < n; ++i) {
            if ((_jobDatanets[jobId][i >> 2] >> ((i & 3) * 64)) & type(uint64).max == datanetId) return true;
        }
        return false;
    }

    function _min(uint64 a, uint64 b) private pure returns (uint64) {
        return a < b ? a : b;
    }

    function _job(uint256 jobId) private view returns (Job storage job) {
        job = _jobs[jobId];
        if (job.state == JobState.None) revert JobNotFound(jobId);
    }

    function _jobInState(uint256 jobId, JobState state) private view returns (Job storage job) {
        job = _job(jobId);
        if (job.state != state) revert InvalidJobState(jobId, job.state);
    }

    /// @dev A job the caller holds the claim of (its lease may have lapsed: until someone
    /// releases it, the trainer can still finish), while the caller is an admitted trainer.
    function _claimedBySender(uint256 jobId) private view returns (Job storage job) {
        job = _jobInState(jobId, JobState.Claimed);
        if (job.trainer != msg.sender) revert NotJobTrainer(jobId, msg.sender, job.trainer);
        if (!trainers.isAdmitted(msg.sender)) revert TrainerNotAdmitted(msg.sender);
    }
}
