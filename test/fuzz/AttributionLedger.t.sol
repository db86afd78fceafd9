// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AttributionLedger} from "../../contracts/attribution/AttributionLedger.sol";
import {DatanetRegistry} from "../../contracts/datanet/DatanetRegistry.sol";
import {IDatanets} from "../../contracts/interfaces/IDatanets.sol";
import {TrainerRegistry} from "../../contracts/training/TrainerRegistry.sol";
import {TrainingJobs} from "../../contracts/training/TrainingJobs.sol";
import {TestBase} from "../lib/Vm.sol";

/// Properties of `postBatch` over random packed groups: a batch is accepted exactly when every
/// group is well formed, their number is the receipt count, every cited id is registered and
/// neither of a receipt's two lists (retrieval, training) sums past 10,000 bp on its own; and only
/// the model's trainer or an authorized serving node can post.
contract AttributionLedgerFuzzTest is TestBase {
    DatanetRegistry internal datanets;
    TrainerRegistry internal trainers;
    TrainingJobs internal jobs;
    AttributionLedger internal ledger;
    address internal constant BUILDER = address(0xB11D);
    address internal constant TRAINER = address(0x7001);
    address internal constant SERVER = address(0x7002);
    address internal constant OUTSIDER = address(0x7003);
    uint256 internal constant CONTRIBUTIONS = 20;
    uint256 internal posted;

    function setUp() public {
        datanets = new DatanetRegistry();
        trainers = new TrainerRegistry(address(this));
        jobs = new TrainingJobs(datanets, trainers, address(this));
        ledger = new AttributionLedger(trainers, jobs, datanets);
        datanets.createDatanet("ipfs://m", "MIT", IDatanets.AccessPolicy.Open, IDatanets.ContributionPolicy.Open);
        for (uint256 i; i < CONTRIBUTIONS; ++i) {
            datanets.contribute(1, keccak256(abi.encode(i)), "bafy", "");
        }
        trainers.admitTrainer(TRAINER, "http://127.0.0.1", "");
        trainers.admitTrainer(SERVER, "http://127.0.0.1", "");
        trainers.admitTrainer(OUTSIDER, "http://127.0.0.1", "");
        uint256[] memory ids = new uint256[](1);
        ids[0] = 1;
        vm.prank(BUILDER);
        uint256 jobId = jobs.createJob(ids, "ipfs://spec", keccak256("spec"));
        vm.startPrank(TRAINER);
        jobs.claimJob(jobId);
        jobs.completeJob(jobId, "bafy", keccak256("a"), "ipfs://m", keccak256("r"), "ipfs://manifest");
        vm.stopPrank();
        vm.prank(BUILDER);
        ledger.authorizeServingNode(1, SERVER);
    }

    /// Random groups (ids 0..31 of 20 registered, weights up to 8,191, up to 3 retrieval and 3
    /// training citations each, so loads straddle the list boundary at every offset), sometimes
    /// truncated, sometimes with a wrong receipt count.
    function testFuzz_PackedGroupsCheckedExactly(
        uint8[4] calldata counts,
        uint16[24] calldata cited,
        uint8 groupCount,
        uint8 declared,
        uint8 cut
    ) public {
        uint256 groups = bound(groupCount, 1, 4);
        (bytes memory packed, bool valid) = _pack(counts, cited, groups);
        uint256 receiptCount = declared % 8 == 0 ? groups + 1 : groups;
        if (receiptCount != groups) valid = false;
        if (cut % 8 == 0 && packed.length > 0) {
            // Drop 1..7 trailing bytes: never well formed.
            uint256 drop = bound(cut >> 3, 1, 7);
            bytes memory shorter = new bytes(packed.length - drop);
            for (uint256 i; i < shorter.length; ++i) shorter[i] = packed[i];
            packed = shorter;
            valid = false;
        }
        vm.prank(cut % 3 == 0 ? SERVER : TRAINER);
        (bool ok,) = address(ledger).call(
            abi.encodeCall(
                ledger.postBatch,
                (1, keccak256(abi.encode(packed, posted++)), "ipfs://r", uint32(receiptCount), packed)
            )
        );
        assertTrue(ok == valid, "postBatch accepted exactly the valid batches");
    }

    /// `groups` random groups and whether the ledger must accept them.
    function _pack(uint8[4] calldata counts, uint16[24] calldata cited, uint256 groups)
        internal
        pure
        returns (bytes memory packed, bool valid)
    {
        valid = true;
        uint256 k;
        for (uint256 g; g < groups; ++g) {
            uint256 r = counts[g] % 4;
            uint256 t = (counts[g] >> 2) % 4;
            (bytes memory group, bool ok) = _group(g, r, t, cited, k);
            packed = bytes.concat(packed, group);
            k += r + t;
            if (!ok) valid = false;
        }
    }

    /// One group: header (key, r, t), then r retrieval and t training citations from `cited[k..]`;
    /// `ok` when every id is registered and each list sums to at most 10,000 on its own.
    function _group(uint256 g, uint256 r, uint256 t, uint16[24] calldata cited, uint256 k)
        internal
        pure
        returns (bytes memory group, bool ok)
    {
        group = bytes.concat(bytes6(uint48(g + 1)), bytes1(uint8(r)), bytes1(uint8(t)));
        uint256[2] memory totals;
        ok = true;
        for (uint256 j; j < r + t; ++j) {
            uint256 id = cited[k + j] % 32;
            uint256 weight = cited[k + j] >> 3;
            group = bytes.concat(group, bytes6(uint48(id)), bytes2(uint16(weight)));
            totals[j < r ? 0 : 1] += weight;
            if (id == 0 || id > CONTRIBUTIONS) ok = false;
        }
        if (totals[0] > 10_000 || totals[1] > 10_000) ok = false;
    }

    /// Whoever posts: only the model's trainer and its authorized serving node succeed, until the
    /// builder revokes the node; nobody posts a root twice.
    function testFuzz_OnlyAuthorizedPosters(address poster, bool revoke, bytes32 root) public {
        vm.assume(root != bytes32(0));
        if (poster != TRAINER && poster != SERVER && poster != OUTSIDER && poster != address(0)) {
            trainers.admitTrainer(poster, "http://127.0.0.1", "");
        }
        if (revoke) {
            vm.prank(BUILDER);
            ledger.revokeServingNode(1, SERVER);
        }
        bytes memory packed = bytes.concat(bytes6(0), bytes1(uint8(1)), bytes1(0), bytes6(uint48(1)), bytes2(uint16(100)));
        vm.prank(poster);
        (bool ok,) = address(ledger).call(abi.encodeCall(ledger.postBatch, (1, root, "ipfs://r", 1, packed)));
        assertTrue(ok == (poster == TRAINER || (poster == SERVER && !revoke)), "poster outcome");
        vm.prank(TRAINER);
        (bool again,) = address(ledger).call(abi.encodeCall(ledger.postBatch, (1, root, "ipfs://r", 1, packed)));
        assertTrue(again != ok, "a root was posted twice, or not at all by the trainer");
    }
}
