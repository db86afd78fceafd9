// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DatanetRegistry} from "../../contracts/datanet/DatanetRegistry.sol";
import {IAccessGrants} from "../../contracts/interfaces/IAccessGrants.sol";
import {IDatanets} from "../../contracts/interfaces/IDatanets.sol";
import {TestBase} from "../lib/Vm.sol";

/// Properties: no grant without a valid approver signature; a redeemed or cancelled signature
/// never works again; only an open request of the named Datanet can be denied, once; a revoked
/// grantee never regains access through a signature issued before the revocation; a removed
/// approver's signatures never work again, even after it is added back; an older grant never
/// replaces a newer one.
contract AccessGrantsFuzzTest is TestBase {
    DatanetRegistry internal registry;
    uint256 internal constant APPROVER_KEY = 0xA11CE;
    address internal approver;
    address internal constant OWNER = address(0x0B0B);
    uint256 internal datanetId;

    function setUp() public {
        registry = new DatanetRegistry();
        approver = vm.addr(APPROVER_KEY);
        vm.startPrank(OWNER);
        datanetId = registry.createDatanet(
            "ipfs://m", "MIT", IDatanets.AccessPolicy.Permissioned, IDatanets.ContributionPolicy.Curated
        );
        registry.addApprover(datanetId, approver);
        vm.stopPrank();
        vm.warp(1_000_000);
    }

    function _grant(address grantee, uint8 scopes, uint256 nonce) internal view returns (IAccessGrants.AccessGrant memory) {
        return IAccessGrants.AccessGrant(
            datanetId, grantee, scopes, uint64(block.timestamp + 1 days), nonce, block.timestamp + 1 hours, uint64(block.timestamp)
        );
    }

    function _sign(uint256 key, IAccessGrants.AccessGrant memory g) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, registry.hashAccessGrant(g));
        return abi.encodePacked(r, s, v);
    }

    /// A signature from any key but an approver's never grants, whoever it claims to come from.
    function testFuzz_NoGrantWithoutApproverSignature(uint256 keySeed, address grantee, uint8 scopes, uint256 nonce)
        public
    {
        uint256 key = toKey(keySeed);
        address signer = vm.addr(key);
        vm.assume(signer != approver && signer != OWNER && grantee != address(0) && grantee != OWNER && grantee != approver);
        scopes = uint8(bound(scopes, 1, 7));
        IAccessGrants.AccessGrant memory g = _grant(grantee, scopes, nonce);
        bytes memory sig = _sign(key, g);

        (bool asApprover,) = address(registry).call(abi.encodeCall(registry.grantAccessBySig, (g, approver, sig)));
        (bool asSigner,) = address(registry).call(abi.encodeCall(registry.grantAccessBySig, (g, signer, sig)));
        assertTrue(!asApprover && !asSigner, "grant redeemed without an approver's signature");
        assertTrue(!registry.hasAccess(datanetId, grantee, scopes), "access without a grant");
    }

    /// A valid signature works once; afterwards, and after cancellation, it never works again.
    function testFuzz_SignatureUsableOnce(address grantee, uint8 scopes, uint256 nonce, bool cancelFirst) public {
        // Owners and approvers always have access, so they cannot show a grant's effect.
        vm.assume(grantee != address(0) && grantee != OWNER && grantee != approver);
        scopes = uint8(bound(scopes, 1, 7));
        IAccessGrants.AccessGrant memory g = _grant(grantee, scopes, nonce);
        bytes memory sig = _sign(APPROVER_KEY, g);
        if (cancelFirst) {
            vm.prank(approver);
            registry.cancelGrantSignature(nonce);
        } else {
            registry.grantAccessBySig(g, approver, sig);
            assertTrue(registry.hasAccess(datanetId, grantee, scopes), "valid grant not applied");
            vm.prank(approver);
            registry.revokeAccess(datanetId, grantee);
        }
        assertTrue(registry.isNonceUsed(approver, nonce), "nonce not marked");
        (bool again,) = address(registry).call(abi.encodeCall(registry.grantAccessBySig, (g, approver, sig)));
        assertTrue(!again, "signature worked twice");
        assertTrue(!registry.hasAccess(datanetId, grantee, scopes), "access after replay");
    }

    /// Nonces in the same bitmap word stay independent.
    function testFuzz_NoncesIndependent(uint256 a, uint256 b) public {
        vm.assume(a != b);
        vm.prank(approver);
        registry.cancelGrantSignature(a);
        assertTrue(registry.isNonceUsed(approver, a), "cancelled nonce not used");
        assertTrue(!registry.isNonceUsed(approver, b), "other nonce affected");
    }

    /// Random requests to two Datanets, then random denials: a denial succeeds exactly when the id
    /// names an open request of that Datanet, and closes it (neighbours in its slot stay open).
    function testFuzz_DenyOnlyOpenRequestsOfTheDatanet(uint8[6] calldata requests, uint8[8] calldata denials) public {
        vm.prank(OWNER);
        uint256 other =
            registry.createDatanet("ipfs://o", "MIT", IDatanets.AccessPolicy.Open, IDatanets.ContributionPolicy.Open);
        uint256[8] memory datanetOf;
        for (uint256 i; i < requests.length; ++i) {
            uint256 target = requests[i] % 2 == 0 ? datanetId : other;
            uint256 id = registry.requestAccess(target, 1, "");
            datanetOf[id] = target;
        }
        for (uint256 i; i < denials.length; ++i) {
            uint256 id = denials[i] % 8; // 0 and 7 never name a request
            uint256 target = denials[i] & 0x80 == 0 ? datanetId : other;
            vm.prank(OWNER);
            (bool ok,) = address(registry).call(abi.encodeCall(registry.denyAccessRequest, (target, id, "")));
            assertTrue(ok == (datanetOf[id] == target && target != 0), "deny outcome");
            if (ok) datanetOf[id] = 0;
            for (uint256 j = 1; j < 8; ++j) {
                assertEq(registry.accessRequestDatanet(j), datanetOf[j], "request lanes");
            }
        }
    }

    /// Signatures issued at random times before and after a revocation, a removal and a re-adding
    /// of the approver, redeemed in random order: only those issued after the last revocation and
    /// within the approver's current term, and newer than the grant in force, ever apply.
    function testFuzz_RevocationAndRemovalKillOlderSignatures(
        address grantee,
        uint8[4] calldata issueSteps,
        uint8[4] calldata order,
        bool reAdd
    ) public {
        vm.assume(grantee != address(0) && grantee != OWNER && grantee != approver);
        // Four signatures issued at increasing times, interleaved with: a grant then revocation
        // (after the first), removal (after the second) and maybe re-adding (after the third).
        IAccessGrants.AccessGrant[4] memory grants;
        bytes[4] memory sigs;
        uint64 revokedAt;
        uint64 since = registry.approverSince(datanetId, approver);
        for (uint256 i; i < 4; ++i) {
            vm.warp(block.timestamp + 1 + issueSteps[i]);
            grants[i] = _grant(grantee, 1, 1000 + i);
            grants[i].deadline = block.timestamp + 30 days;
            grants[i].expiresAt = uint64(block.timestamp + 30 days);
            sigs[i] = _sign(APPROVER_KEY, grants[i]);
            vm.warp(block.timestamp + 1);
            if (i == 0) {
                vm.prank(approver);
                registry.grantAccess(datanetId, grantee, 1, uint64(block.timestamp + 1 days));
                vm.prank(approver);
                registry.revokeAccess(datanetId, grantee);
                revokedAt = uint64(block.timestamp);
            } else if (i == 1) {
                vm.prank(OWNER);
                registry.removeApprover(datanetId, approver);
                since = 0;
            } else if (i == 2 && reAdd) {
                vm.prank(OWNER);
                registry.addApprover(datanetId, approver);
                since = uint64(block.timestamp);
            }
        }
        uint64 latest = revokedAt;
        bool[4] memory used;
        for (uint256 k; k < 4; ++k) {
            uint256 i = order[k] % 4;
            uint64 issued = grants[i].issuedAt;
            bool expected = since != 0 && issued >= since && issued > latest && !used[i];
            (bool ok,) = address(registry).call(abi.encodeCall(registry.grantAccessBySig, (grants[i], approver, sigs[i])));
            if (ok) used[i] = true;
            assertTrue(ok == expected, "signed grant outcome");
            if (ok) latest = issued;
            // Only signatures of the approver's current term (the fourth, after re-adding) can apply.
            if (ok) assertTrue(i == 3 && reAdd, "an old signature applied");
        }
        assertTrue(registry.hasAccess(datanetId, grantee, 1) == (reAdd && latest > revokedAt), "access");
    }

    /// Two signed grants redeemed in either order: the newer one always ends up in force.
    function testFuzz_OlderGrantNeverReplacesNewer(address grantee, uint8 gap, bool newerFirst) public {
        vm.assume(grantee != address(0) && grantee != OWNER && grantee != approver);
        IAccessGrants.AccessGrant memory older = _grant(grantee, 7, 1);
        vm.warp(block.timestamp + 1 + gap);
        IAccessGrants.AccessGrant memory newer = _grant(grantee, 1, 2);
        bytes memory olderSig = _sign(APPROVER_KEY, older);
        bytes memory newerSig = _sign(APPROVER_KEY, newer);
        if (newerFirst) {
            registry.grantAccessBySig(newer, approver, newerSig);
            (bool ok,) = address(registry).call(abi.encodeCall(registry.grantAccessBySig, (older, approver, olderSig)));
            assertTrue(!ok, "older grant replaced a newer one");
        } else {
            registry.grantAccessBySig(older, approver, olderSig);
            registry.grantAccessBySig(newer, approver, newerSig);
        }
        (uint8 scopes,) = registry.grantOf(datanetId, grantee);
        assertEq(scopes, 1, "the newer grant is in force");
    }

    /// Ownership passes through random hands, keeping or clearing the approvers each time: the
    /// approver (and its signature issued before) survives exactly when every transfer kept them.
    function testFuzz_TransferClearsApproversUnlessKept(address grantee, bool[3] calldata keep, uint8 buyerSeed) public {
        vm.assume(grantee != address(0) && grantee != OWNER && grantee != approver);
        IAccessGrants.AccessGrant memory g = _grant(grantee, 1, 77);
        bytes memory sig = _sign(APPROVER_KEY, g);
        vm.warp(block.timestamp + 1);
        address holder = OWNER;
        bool allKept = true;
        for (uint256 i; i < keep.length; ++i) {
            address buyer = address(uint160(0xB000 + uint256(buyerSeed) + i));
            vm.prank(holder);
            registry.transferOwnership(datanetId, buyer);
            vm.prank(buyer);
            if (keep[i]) registry.acceptOwnershipKeepingApprovers(datanetId);
            else registry.acceptOwnership(datanetId);
            allKept = allKept && keep[i];
            holder = buyer;
            assertTrue(registry.isApprover(datanetId, approver) == allKept, "approver survived a clearing");
        }
        (bool ok,) = address(registry).call(abi.encodeCall(registry.grantAccessBySig, (g, approver, sig)));
        assertTrue(ok == allKept, "signature outcome after transfers");
    }
}
