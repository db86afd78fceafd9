// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DatanetRegistry} from "../../contracts/datanet/DatanetRegistry.sol";
import {IContributions} from "../../contracts/interfaces/IContributions.sol";
import {IDatanets} from "../../contracts/interfaces/IDatanets.sol";
import {TestBase} from "../lib/Vm.sol";

/// Properties: once withdrawn, a contribution never counts again, whatever anyone does next; a
/// review batch never reverts because an entry is no longer pending, and never changes one.
contract ContributionsFuzzTest is TestBase {
    DatanetRegistry internal registry;
    address internal constant OWNER = address(0x0B0B);
    address internal constant CONTRIBUTOR = address(0xC0C0);
    uint256 internal datanetId;

    function setUp() public {
        registry = new DatanetRegistry();
        vm.prank(OWNER);
        datanetId =
            registry.createDatanet("ipfs://m", "MIT", IDatanets.AccessPolicy.Open, IDatanets.ContributionPolicy.Curated);
    }

    function testFuzz_WithdrawnNeverCounts(bytes32 contentHash, uint8[8] calldata ops) public {
        vm.assume(contentHash != bytes32(0));
        vm.prank(CONTRIBUTOR);
        uint256 id = registry.contribute(datanetId, contentHash, "bafy", "");
        uint256[] memory ids = new uint256[](1);
        ids[0] = id;
        bool withdrawn;
        for (uint256 i; i < ops.length; ++i) {
            uint8 op = ops[i] % 4;
            if (op == 0) {
                vm.prank(CONTRIBUTOR);
                (bool ok,) = address(registry).call(abi.encodeCall(registry.withdrawContribution, (id)));
                assertTrue(ok != withdrawn, "withdraw succeeded twice or failed first");
                withdrawn = true;
            } else if (op == 1 || op == 2) {
                IContributions.ContributionStatus before = registry.contributionStatus(id);
                vm.prank(OWNER);
                (bool ok,) = address(registry).call(
                    op == 1
                        ? abi.encodeCall(registry.acceptContributions, (ids))
                        : abi.encodeCall(registry.rejectContributions, (ids, ""))
                );
                assertTrue(ok, "a review batch reverted");
                if (before != IContributions.ContributionStatus.Pending) {
                    assertTrue(registry.contributionStatus(id) == before, "a non-pending entry changed");
                }
            } else {
                (bool ok,) = address(registry).call(abi.encodeCall(registry.withdrawContribution, (id)));
                assertTrue(!ok, "a stranger withdrew");
            }
            if (withdrawn) {
                assertTrue(
                    registry.contributionStatus(id) == IContributions.ContributionStatus.Withdrawn, "left Withdrawn"
                );
            }
        }
    }
}
