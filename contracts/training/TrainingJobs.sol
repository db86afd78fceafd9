// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IAccessGrants} from "../interfaces/IAccessGrants.sol";
import {ITrainerRegistry} from "../interfaces/ITrainerRegistry.sol";
import {ITrainingJobs} from "../interfaces/ITrainingJobs.sol";
import {Manifest} from "../libraries/Manifest.sol";
import {Scopes} from "../libraries/Scopes.sol";

/// @title TrainingJobs
/// @notice Jobs from creation to completion, and the models completed jobs register. Exactly one
/// trainer holds a claim at a time; a claim is a lease that the trainer renews, and anyone may
/// release it once it lapses so another node can take the job.
contract TrainingJobs is ITrainingJobs, AccessControl {
    /// @notice Largest number of Datanets per job, bounding the access-check loop.
    uint256 public constant MAX_DATANETS = 16;
    /// @notice Bounds of the claim lease.
    uint64 public constant MIN_LEASE = 5 minutes;
    uint64 public constant MAX_LEASE = 30 days;

    /// @dev Header slot: builder, state, snapshot block. Claim slot: trainer, lease end.
    struct Job {
        address builder;
        JobState state;
        uint64 snapshotBlock;
        address trainer;
        uint64 leaseExpiresAt;
        bytes32 specHash;
    }

    /// @dev First slot: job id (sequential, so uint64 cannot overflow in practice) and the
    /// trainer, read together by the attribution ledger.
    struct Model {
        uint64 jobId;
        address trainer;
        bytes32 manifestRoot;
        bytes32 adapterHash;
    }

    IAccessGrants public immutable datanets;
    ITrainerRegistry public immutable trainers;

    uint64 private _leaseDuration = 1 days;
    uint256 private _jobCount;
    uint256 private _modelCount;
    mapping(uint256 jobId => Job) private _jobs;
    mapping(uint256 modelId => Model) private _models;

    /// @param datanetRegistry The DatanetRegistry answering `hasAccess`.
    /// @param trainerRegistry The TrainerRegistry answering `isActiveTrainer`.
    /// @param admin May change the lease duration.
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
        uint256 previous;
        for (uint256 i; i < n; ++i) {
            uint256 id = datanetIds[i];
            if (id <= previous) revert DatanetsNotSorted(id);
            if (!datanets.hasAccess(id, msg.sender, Scopes.TRAIN)) revert NoTrainAccess(id, msg.sender);
            previous = id;
        }
        jobId = ++_jobCount;
        uint64 snapshotBlock = uint64(block.number);
        _jobs[jobId] = Job(msg.sender, JobState.Open, snapshotBlock, address(0), 0, specHash);
        emit JobCreated(jobId, msg.sender, datanetIds, specURI, specHash, snapshotBlock);
    }

    /// @notice Cancels an unclaimed job. Builder only.
    function cancelJob(uint256 jobId) external {
        Job storage job = _jobInState(jobId, JobState.Open);
        if (job.builder != msg.sender) revert NotJobBuilder(jobId, msg.sender);
        job.state = JobState.Cancelled;
        emit JobCancelled(jobId);
    }

    /// @notice Claims an open job. Active trainers only; the first claim wins.
    function claimJob(uint256 jobId) external {
        if (!trainers.isActiveTrainer(msg.sender)) revert NotActiveTrainer(msg.sender);
        Job storage job = _jobInState(jobId, JobState.Open);
        uint64 leaseExpiresAt = uint64(block.timestamp) + _leaseDuration;
        job.state = JobState.Claimed;
        job.trainer = msg.sender;
        job.leaseExpiresAt = leaseExpiresAt;
        emit JobClaimed(jobId, msg.sender, leaseExpiresAt);
    }

    /// @notice Extends the claim's lease by the lease duration from now. Claiming trainer only.
    function renewLease(uint256 jobId) external {
        Job storage job = _claimedBySender(jobId);
        uint64 leaseExpiresAt = uint64(block.timestamp) + _leaseDuration;
        job.leaseExpiresAt = leaseExpiresAt;
        emit JobLeaseRenewed(jobId, leaseExpiresAt);
    }

    /// @notice Gives a claimed job back to the open pool. Claiming trainer only.
    function releaseJob(uint256 jobId) external {
        _claimedBySender(jobId);
        _release(jobId, false);
    }

    /// @notice Releases a claim whose lease has lapsed. Anyone may call.
    function releaseStaleClaim(uint256 jobId) external {
        Job storage job = _jobInState(jobId, JobState.Claimed);
        if (block.timestamp <= job.leaseExpiresAt) revert LeaseNotExpired(jobId, job.leaseExpiresAt);
        _release(jobId, true);
    }

    /// @notice Completes a claimed job and registers its model. Claiming trainer only.
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
        job.state = JobState.Completed;
        modelId = ++_modelCount;
        _models[modelId] = Model(uint64(jobId), msg.sender, manifestRoot, adapterHash);
        emit JobCompleted(jobId, msg.sender, modelId);
        emit ModelRegistered(
            modelId, jobId, job.builder, msg.sender, adapterCID, adapterHash, metricsURI, manifestRoot, manifestURI
        );
    }

    /// @notice Fails a claimed job with a human-readable reason. Claiming trainer only.
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

    /// @notice Current claim lease in seconds.
    function leaseDuration() external view returns (uint64) {
        return _leaseDuration;
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
        emit JobReleased(jobId, trainer, stale);
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
    /// releases it, the trainer can still finish).
    function _claimedBySender(uint256 jobId) private view returns (Job storage job) {
        job = _jobInState(jobId, JobState.Claimed);
        if (job.trainer != msg.sender) revert NotJobTrainer(jobId, msg.sender, job.trainer);
    }
}
