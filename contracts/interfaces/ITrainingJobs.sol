// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title ITrainingJobs
/// @notice Fine-tuning jobs and the models they produce. A builder creates a job over Datanets it
/// holds train access to; one admitted trainer claims it and completes it (registering a Model
/// whose training manifest is a Merkle root over the exact contributions and spec) or fails it.
interface ITrainingJobs {
    /// @notice Lifecycle of a job.
    enum JobState {
        None,
        Open,
        Claimed,
        Completed,
        Failed,
        Cancelled
    }

    /// @notice Thrown when a job lists no Datanets or more than the bound.
    /// @param count The number given.
    /// @param maxCount The largest number accepted.
    error InvalidDatanetCount(uint256 count, uint256 maxCount);
    /// @notice Thrown when the builder lacks train access to a Datanet.
    /// @param datanetId The Datanet.
    /// @param builder The builder.
    error NoTrainAccess(uint256 datanetId, address builder);
    /// @notice Thrown when a Datanet is listed twice (ids must be strictly increasing).
    /// @param datanetId The repeated or out-of-order id.
    error DatanetsNotSorted(uint256 datanetId);
    /// @notice Thrown when the spec hash or URI is empty.
    error EmptySpec();
    /// @notice Thrown when a job id does not exist.
    /// @param jobId The unknown id.
    error JobNotFound(uint256 jobId);
    /// @notice Thrown when a job is not in the state the action needs.
    /// @param jobId The job.
    /// @param state Its current state.
    error InvalidJobState(uint256 jobId, JobState state);
    /// @notice Thrown when someone other than the builder cancels.
    /// @param jobId The job.
    /// @param caller The caller.
    error NotJobBuilder(uint256 jobId, address caller);
    /// @notice Thrown when the caller is not an active admitted trainer.
    /// @param caller The caller.
    error NotActiveTrainer(address caller);
    /// @notice Thrown when someone other than the claiming trainer acts on a claimed job.
    /// @param jobId The job.
    /// @param caller The caller.
    /// @param trainer The trainer holding the claim.
    error NotJobTrainer(uint256 jobId, address caller, address trainer);
    /// @notice Thrown when a claim is released as stale before its lease ended.
    /// @param jobId The job.
    /// @param leaseExpiresAt When the lease ends.
    error LeaseNotExpired(uint256 jobId, uint64 leaseExpiresAt);
    /// @notice Thrown when a completion lacks an adapter, its hash, a manifest root or its URI.
    error EmptyResult();
    /// @notice Thrown when a model id does not exist.
    /// @param modelId The unknown id.
    error ModelNotFound(uint256 modelId);
    /// @notice Thrown when a removed trainer acts on a claim it still holds.
    /// @param trainer The trainer.
    error TrainerNotAdmitted(address trainer);
    /// @notice Thrown when renewing a claim whose total life is over.
    /// @param jobId The job.
    /// @param claimEndsAt When the claim's life ended.
    error ClaimLifeOver(uint256 jobId, uint64 claimEndsAt);
    /// @notice Thrown when the builder cancels a claimed job before its first lease ended.
    /// @param jobId The job.
    /// @param firstLeaseEndsAt When the first lease ends.
    error ClaimWithinFirstLease(uint256 jobId, uint64 firstLeaseEndsAt);
    /// @notice Thrown when the total claim life is out of bounds.
    /// @param life The offending life in seconds.
    error InvalidClaimLife(uint64 life);
    /// @notice Thrown when a challenged entry's proof does not lead to the model's manifest root.
    /// @param modelId The model.
    /// @param contributionId The entry's contribution id.
    error NotInManifest(uint256 modelId, uint256 contributionId);
    /// @notice Thrown when a challenged entry is a registered contribution of one of the job's Datanets.
    /// @param modelId The model.
    /// @param contributionId The contribution.
    error ManifestEntryValid(uint256 modelId, uint256 contributionId);
    /// @notice Thrown when the lease duration is out of bounds.
    /// @param duration The offending duration.
    error InvalidLeaseDuration(uint64 duration);

    /// @notice Emitted when a builder creates a job.
    /// @param jobId The new id.
    /// @param builder The builder.
    /// @param datanetIds The Datanets to train on, strictly increasing.
    /// @param specURI Content-addressed spec (base model, method, hyperparameters).
    /// @param specHash sha256 of the spec document's bytes.
    /// @param snapshotBlock The block whose accepted contributions form the training data.
    event JobCreated(
        uint256 indexed jobId,
        address indexed builder,
        uint256[] datanetIds,
        string specURI,
        bytes32 specHash,
        uint64 snapshotBlock
    );
    /// @notice Emitted when the builder cancels a job (unclaimed, or claimed past its first lease).
    /// @param jobId The job.
    event JobCancelled(uint256 indexed jobId);
    /// @notice Emitted when a trainer claims a job.
    /// @param jobId The job.
    /// @param trainer The trainer.
    /// @param leaseExpiresAt Until when the claim holds without renewal.
    event JobClaimed(uint256 indexed jobId, address indexed trainer, uint64 leaseExpiresAt);
    /// @notice Emitted when the trainer renews its claim.
    /// @param jobId The job.
    /// @param leaseExpiresAt The new end of the lease.
    event JobLeaseRenewed(uint256 indexed jobId, uint64 leaseExpiresAt);
    /// @notice Emitted when a claim is given up, by its trainer, or as stale (lapsed lease or
    /// removed trainer) by anyone.
    /// @param jobId The job, open again.
    /// @param trainer The trainer that held it.
    /// @param stale Whether it was released by someone else (lease ran out, or trainer removed).
    event JobReleased(uint256 indexed jobId, address indexed trainer, bool stale);
    /// @notice Emitted when the trainer completes a job.
    /// @param jobId The job.
    /// @param trainer The trainer.
    /// @param modelId The model it produced.
    event JobCompleted(uint256 indexed jobId, address indexed trainer, uint256 indexed modelId);
    /// @notice Emitted when the trainer fails a job.
    /// @param jobId The job.
    /// @param trainer The trainer.
    /// @param reason Human-readable reason.
    event JobFailed(uint256 indexed jobId, address indexed trainer, string reason);
    /// @notice Emitted when a completed job registers its model.
    /// @param modelId The new id.
    /// @param jobId The job that produced it.
    /// @param builder The builder who owns it.
    /// @param trainer The trainer that trained it.
    /// @param adapterCID Content id of the adapter files.
    /// @param adapterHash sha256 of the adapter archive's bytes.
    /// @param metricsURI Content-addressed evaluation metrics.
    /// @param manifestRoot Merkle root over the spec and the exact contributions trained on.
    /// @param manifestURI Content-addressed training-manifest document whose entries form that root.
    event ModelRegistered(
        uint256 indexed modelId,
        uint256 indexed jobId,
        address indexed builder,
        address trainer,
        string adapterCID,
        bytes32 adapterHash,
        string metricsURI,
        bytes32 manifestRoot,
        string manifestURI
    );
    /// @notice Emitted when the admin changes the claim lease.
    /// @param duration The new lease in seconds.
    event LeaseDurationUpdated(uint64 duration);
    /// @notice Emitted when someone proves a model's manifest lists a contribution outside its
    /// job's Datanets, or an unknown id; the model is flagged.
    /// @param modelId The model.
    /// @param contributionId The offending entry.
    /// @param datanetId The contribution's Datanet (0 when the id was never registered).
    /// @param challenger Who proved it.
    event ManifestChallenged(
        uint256 indexed modelId, uint256 indexed contributionId, uint256 datanetId, address indexed challenger
    );
    /// @notice Emitted when the admin changes the total claim life.
    /// @param life The new life in seconds.
    event MaxClaimLifeUpdated(uint64 life);

    /// @notice Whether a model id exists.
    function modelExists(uint256 modelId) external view returns (bool);

    /// @notice The trainer that trained a model (zero for an unknown id).
    function modelTrainer(uint256 modelId) external view returns (address);

    /// @notice The builder who owns a model (zero for an unknown id).
    function modelBuilder(uint256 modelId) external view returns (address);
}
