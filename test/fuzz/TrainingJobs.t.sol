// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DatanetRegistry} from "../../contracts/datanet/DatanetRegistry.sol";
import {IDatanets} from "../../contracts/interfaces/IDatanets.sol";
import {ITrainingJobs} from "../../contracts/interfaces/ITrainingJobs.sol";
import {TrainerRegistry} from "../../contracts/training/TrainerRegistry.sol";
import {TrainingJobs} from "../../contracts/training/TrainingJobs.sol";
import {TestBase} from "../lib/Vm.sol";

/// Properties: a job is claimed at most once at a time; only the claiming trainer can complete
/// or fail it; a finished job never changes again; no lease reaches past the claim's life; a
/// removed trainer never acts on its claim and anyone releases it; the builder cancels a claimed
/// job exactly when its first lease is over.
contract TrainingJobsFuzzTest is TestBase {
    DatanetRegistry internal datanets;
    TrainerRegistry internal trainers;
    TrainingJobs internal jobs;
    address internal constant BUILDER = address(0xB11D);
    address[3] internal nodes = [address(0x7001), address(0x7002), address(0x7003)];

    function setUp() public {
        datanets = new DatanetRegistry();
        trainers = new TrainerRegistry(address(this));
        jobs = new TrainingJobs(datanets, trainers, address(this));
        datanets.createDatanet("ipfs://m", "MIT", IDatanets.AccessPolicy.Open, IDatanets.ContributionPolicy.Open);
        for (uint256 i; i < nodes.length; ++i) {
            trainers.admitTrainer(nodes[i], "http://127.0.0.1", "");
        }
    }

    function _newJob() internal returns (uint256) {
        uint256[] memory ids = new uint256[](1);
        ids[0] = 1;
        vm.prank(BUILDER);
        return jobs.createJob(ids, "ipfs://spec", keccak256("spec"));
    }

    function _state(uint256 jobId) internal view returns (ITrainingJobs.JobState state, address trainer) {
        (, state,, trainer,,) = jobs.getJob(jobId);
    }

    /// Random sequences of claims, completions and failures from random callers.
    function testFuzz_ClaimOnceAndOnlyClaimantFinishes(uint8[12] calldata ops, address stranger) public {
        vm.assume(stranger != nodes[0] && stranger != nodes[1] && stranger != nodes[2]);
        uint256 jobId = _newJob();
        address holder;
        bool finished;
        for (uint256 i; i < ops.length; ++i) {
            uint8 op = ops[i];
            address caller = op % 4 == 3 ? stranger : nodes[op % 4];
            uint8 action = (op / 4) % 3;
            vm.prank(caller);
            bool ok;
            if (action == 0) {
                (ok,) = address(jobs).call(abi.encodeCall(jobs.claimJob, (jobId)));
                assertTrue(ok == (holder == address(0) && !finished && caller != stranger), "claim outcome");
                if (ok) holder = caller;
            } else if (action == 1) {
                (ok,) = address(jobs).call(
                    abi.encodeCall(jobs.completeJob, (jobId, "bafy", keccak256("a"), "ipfs://m", keccak256("r"), "ipfs://manifest"))
                );
                assertTrue(ok == (holder == caller && holder != address(0) && !finished), "complete outcome");
                if (ok) finished = true;
            } else {
                (ok,) = address(jobs).call(abi.encodeCall(jobs.failJob, (jobId, "reason")));
                assertTrue(ok == (holder == caller && holder != address(0) && !finished), "fail outcome");
                if (ok) finished = true;
            }
            (ITrainingJobs.JobState state, address trainer) = _state(jobId);
            if (!finished && holder != address(0)) {
                assertTrue(state == ITrainingJobs.JobState.Claimed && trainer == holder, "claim lost");
            }
        }
    }

    /// A lapsed claim can be released by anyone and taken by another node, never before.
    function testFuzz_StaleRelease(uint32 elapsed) public {
        uint256 jobId = _newJob();
        vm.prank(nodes[0]);
        jobs.claimJob(jobId);
        (,,,, uint64 leaseEnd,) = jobs.getJob(jobId);
        vm.warp(block.timestamp + elapsed);
        (bool ok,) = address(jobs).call(abi.encodeCall(jobs.releaseStaleClaim, (jobId)));
        assertTrue(ok == (block.timestamp > leaseEnd), "release outcome");
        vm.prank(nodes[1]);
        (bool taken,) = address(jobs).call(abi.encodeCall(jobs.claimJob, (jobId)));
        assertTrue(taken == ok, "second node claimed a held job");
    }

    /// Random sequences of time steps, renewals, removals, releases, cancels and completions.
    function testFuzz_ClaimLifeRemovalAndCancel(uint8[10] calldata ops, uint32[10] calldata steps) public {
        uint256 jobId = _newJob();
        address node = nodes[0];
        vm.prank(node);
        jobs.claimJob(jobId);
        (uint64 firstLeaseEnd, uint64 claimEnd) = jobs.claimTimes(jobId);
        bool removed;
        for (uint256 i; i < ops.length; ++i) {
            vm.warp(block.timestamp + (steps[i] % 3 days));
            (, ITrainingJobs.JobState state, address holder,) = _claim(jobId);
            bool claimed = state == ITrainingJobs.JobState.Claimed && holder == node;
            uint8 op = ops[i] % 5;
            bool ok;
            if (op == 0) {
                vm.prank(node);
                (ok,) = address(jobs).call(abi.encodeCall(jobs.renewLease, (jobId)));
                assertTrue(ok == (claimed && !removed && block.timestamp < claimEnd), "renew outcome");
            } else if (op == 1) {
                if (!removed) trainers.removeTrainer(node);
                removed = true;
            } else if (op == 2) {
                (, , , uint64 lease) = _claim(jobId);
                (ok,) = address(jobs).call(abi.encodeCall(jobs.releaseStaleClaim, (jobId)));
                assertTrue(ok == (claimed && (removed || block.timestamp > lease)), "stale release outcome");
            } else if (op == 3) {
                vm.prank(BUILDER);
                (ok,) = address(jobs).call(abi.encodeCall(jobs.cancelJob, (jobId)));
                bool open = state == ITrainingJobs.JobState.Open;
                assertTrue(ok == (open || (claimed && block.timestamp > firstLeaseEnd)), "cancel outcome");
            } else {
                vm.prank(node);
                (ok,) = address(jobs).call(
                    abi.encodeCall(jobs.completeJob, (jobId, "bafy", keccak256("a"), "ipfs://m", keccak256("r"), "ipfs://manifest"))
                );
                assertTrue(ok == (claimed && !removed), "complete outcome");
            }
            (, state, holder,) = _claim(jobId);
            if (state == ITrainingJobs.JobState.Claimed) {
                (,,,, uint64 lease,) = jobs.getJob(jobId);
                assertTrue(lease <= claimEnd, "lease past the claim's life");
            }
        }
    }

    function _claim(uint256 jobId)
        internal
        view
        returns (address builder, ITrainingJobs.JobState state, address trainer, uint64 lease)
    {
        (builder, state,, trainer, lease,) = jobs.getJob(jobId);
    }
}
