// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IAccessGrants} from "../interfaces/IAccessGrants.sol";
import {Scopes} from "../libraries/Scopes.sol";
import {Datanets} from "./Datanets.sol";

/// @title AccessGrants
/// @notice Access requests, grants by transaction or by EIP-712 signature, revocation and
/// `hasAccess`. The EIP-712 domain binds a signature to this chain and contract, the struct to
/// one Datanet and grantee, and each approver's nonce is usable once (unordered, as a bitmap),
/// so a signature can be replayed nowhere. Signers may be EOAs or ERC-1271 contract wallets.
/// Every grant carries its issue time, and the grantee's record keeps the issue time of its
/// latest grant or revocation: a signed grant must be strictly newer, so revoking a grantee
/// kills every signature issued for it before, and an older grant never replaces a newer one.
/// A signature must also be issued within its signer's current term as approver (see
/// {approverSince}), so removing an approver kills its unredeemed signatures for good.
abstract contract AccessGrants is IAccessGrants, Datanets, EIP712 {
    /// @notice EIP-712 type hash of {AccessGrant}.
    bytes32 public constant ACCESS_GRANT_TYPEHASH = keccak256(
        "AccessGrant(uint256 datanetId,address grantee,uint8 scopes,uint64 expiresAt,uint256 nonce,uint256 deadline,uint64 issuedAt)"
    );
    /// @notice Longest access a grant gives, counted from the moment it is applied (5 years).
    uint64 public constant MAX_GRANT_DURATION = 5 * 365 days;
    /// @notice How far in the future a signed grant's issue time may be, for signers' clock skew.
    uint64 public constant MAX_CLOCK_SKEW = 15 minutes;

    /// @dev A grant in one slot; a zero `scopes` means no grant. `issuedAt` is the issue time of
    /// the latest grant or revocation, which signed grants must exceed.
    struct Grant {
        uint8 scopes;
        uint64 expiresAt;
        uint64 issuedAt;
    }

    uint256 private _requestCount;
    /// @dev The Datanet of every open access request, packed four to a slot (uint64 lanes: the
    /// request id's low two bits pick the lane, the rest the slot), so three requests in four
    /// update a warm slot (~5k gas) instead of a new one (~22k). Zero means no open request:
    /// never made, or already denied. Datanet ids are sequential from 1, so they fit 64 bits.
    mapping(uint256 word => uint256 lanes) private _requestDatanets;
    mapping(uint256 datanetId => mapping(address grantee => Grant)) private _grants;
    mapping(address approver => mapping(uint256 word => uint256 bits)) private _nonceBitmaps;

    /// @notice Asks the Datanet's approvers for access; the purpose document explains the use.
    function requestAccess(uint256 datanetId, uint8 scopes, string calldata purposeURI)
        external
        returns (uint256 requestId)
    {
        _datanet(datanetId);
        if (!Scopes.isValid(scopes)) revert InvalidScopes(scopes);
        requestId = ++_requestCount;
        _requestDatanets[requestId >> 2] |= datanetId << _requestLane(requestId);
        emit AccessRequested(requestId, datanetId, msg.sender, scopes, purposeURI);
    }

    /// @notice Declines an open request of this Datanet with a reason shown to the requester.
    /// Approvers only. A denied request is closed: it cannot be denied again.
    function denyAccessRequest(uint256 datanetId, uint256 requestId, string calldata reason) external {
        _checkApprover(datanetId);
        uint256 shift = _requestLane(requestId);
        uint256 lanes = _requestDatanets[requestId >> 2];
        uint256 requestDatanet = (lanes >> shift) & type(uint64).max;
        if (requestDatanet == 0) revert AccessRequestNotFound(requestId);
        if (requestDatanet != datanetId) revert AccessRequestOfOtherDatanet(requestId, datanetId, requestDatanet);
        _requestDatanets[requestId >> 2] = lanes & ~(uint256(type(uint64).max) << shift);
        emit AccessRequestDenied(requestId, datanetId, msg.sender, reason);
    }

    /// @notice Grants access by transaction, replacing any previous grant; issued now.
    /// Approvers only.
    function grantAccess(uint256 datanetId, address grantee, uint8 scopes, uint64 expiresAt) external {
        _checkApprover(datanetId);
        _grant(datanetId, grantee, scopes, expiresAt, uint64(block.timestamp), msg.sender, 0, false);
    }

    /// @notice Redeems an approver's signed grant; anyone may submit it. The grant must be newer
    /// than the grantee's latest grant or revocation, and issued within the signer's current
    /// term as approver.
    /// @param grant The signed grant.
    /// @param approver The signer, who must still approve for the Datanet.
    /// @param signature A 65-byte ECDSA signature (r, s, v) from an EOA, or whatever an ERC-1271
    /// contract wallet accepts (OpenZeppelin 5.7's `SignatureChecker`; 64-byte compact ECDSA
    /// signatures are refused).
    function grantAccessBySig(AccessGrant calldata grant, address approver, bytes calldata signature) external {
        if (block.timestamp > grant.deadline) revert SignatureExpired(grant.deadline);
        if (grant.issuedAt > block.timestamp + MAX_CLOCK_SKEW) revert GrantIssuedInFuture(grant.issuedAt);
        uint64 since = approverSince(grant.datanetId, approver);
        if (since == 0) revert NotDatanetApprover(grant.datanetId, approver);
        if (grant.issuedAt < since) revert GrantIssuedBeforeApproval(approver, grant.issuedAt, since);
        uint64 latest = _grants[grant.datanetId][grant.grantee].issuedAt;
        if (grant.issuedAt <= latest) revert GrantOutdated(grant.datanetId, grant.grantee, grant.issuedAt, latest);
        if (!SignatureChecker.isValidSignatureNow(approver, hashAccessGrant(grant), signature)) {
            revert InvalidSignature(approver);
        }
        _useNonce(approver, grant.nonce);
        _grant(
            grant.datanetId, grant.grantee, grant.scopes, grant.expiresAt, grant.issuedAt, approver, grant.nonce, true
        );
    }

    /// @notice Cancels one of the caller's unredeemed signatures by burning its nonce.
    function cancelGrantSignature(uint256 nonce) external {
        _useNonce(msg.sender, nonce);
        emit GrantSignatureCancelled(msg.sender, nonce);
    }

    /// @notice Revokes a grant at once, and with it every signed grant for the grantee issued
    /// until now and not yet redeemed. Approvers only.
    function revokeAccess(uint256 datanetId, address grantee) external {
        _checkApprover(datanetId);
        if (_grants[datanetId][grantee].scopes == 0) revert NoGrant(datanetId, grantee);
        _grants[datanetId][grantee] = Grant(0, 0, uint64(block.timestamp));
        emit AccessRevoked(datanetId, grantee, msg.sender);
    }

    /// @inheritdoc IAccessGrants
    /// @dev `scope` may hold several bits; all of them are required.
    function hasAccess(uint256 datanetId, address account, uint8 scope) public view returns (bool) {
        if (!Scopes.isValid(scope)) revert InvalidScopes(scope);
        Datanet storage d = _datanet(datanetId);
        if (d.accessPolicy == AccessPolicy.Open || isApprover(datanetId, account)) return true;
        Grant memory g = _grants[datanetId][account];
        return g.scopes & scope == scope && block.timestamp < g.expiresAt;
    }

    /// @notice The grant recorded for `grantee` (scopes 0 when none), expired or not.
    function grantOf(uint256 datanetId, address grantee) external view returns (uint8 scopes, uint64 expiresAt) {
        Grant memory g = _grants[datanetId][grantee];
        return (g.scopes, g.expiresAt);
    }

    /// @notice Issue time of the grantee's latest grant or revocation (0 when none): a signed
    /// grant for it must be issued later.
    function grantIssuedAt(uint256 datanetId, address grantee) external view returns (uint64) {
        return _grants[datanetId][grantee].issuedAt;
    }

    /// @notice The Datanet of an open access request, or 0 when none is open under this id.
    function accessRequestDatanet(uint256 requestId) external view returns (uint256) {
        return (_requestDatanets[requestId >> 2] >> _requestLane(requestId)) & type(uint64).max;
    }

    /// @notice Whether an approver's nonce was used or cancelled.
    function isNonceUsed(address approver, uint256 nonce) external view returns (bool) {
        return _nonceBitmaps[approver][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
    }

    /// @notice The EIP-712 digest an approver signs for `grant`.
    function hashAccessGrant(AccessGrant calldata grant) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    ACCESS_GRANT_TYPEHASH,
                    grant.datanetId,
                    grant.grantee,
                    grant.scopes,
                    grant.expiresAt,
                    grant.nonce,
                    grant.deadline,
                    grant.issuedAt
                )
            )
        );
    }

    /// @notice The EIP-712 domain separator of this chain and contract.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev Bit offset of a request's uint64 lane in its slot.
    function _requestLane(uint256 requestId) private pure returns (uint256) {
        return (requestId & 3) * 64;
    }

    /// @dev Marks a nonce used, reverting if it already was.
    function _useNonce(address approver, uint256 nonce) private {
        uint256 bit = 1 << (nonce & 0xff);
        uint256 bits = _nonceBitmaps[approver][nonce >> 8];
        if (bits & bit != 0) revert NonceAlreadyUsed(approver, nonce);
        _nonceBitmaps[approver][nonce >> 8] = bits | bit;
    }

    /// @dev Validates and stores a grant, then emits {AccessGranted}.
    function _grant(
        uint256 datanetId,
        address grantee,
        uint8 scopes,
        uint64 expiresAt,
        uint64 issuedAt,
        address approver,
        uint256 nonce,
        bool bySignature
    ) private {
        if (grantee == address(0)) revert ZeroAddress();
        if (!Scopes.isValid(scopes)) revert InvalidScopes(scopes);
        if (expiresAt <= block.timestamp) revert ExpiryInPast(expiresAt);
        uint64 maxExpiresAt = uint64(block.timestamp) + MAX_GRANT_DURATION;
        if (expiresAt > maxExpiresAt) revert ExpiryTooFar(expiresAt, maxExpiresAt);
        _grants[datanetId][grantee] = Grant(scopes, expiresAt, issuedAt);
        emit AccessGranted(datanetId, grantee, approver, scopes, expiresAt, nonce, bySignature);
    }
}
