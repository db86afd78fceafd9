// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IAccessGrants
/// @notice Who may use a permissioned Datanet's data, for what, and until when. Approvers grant
/// by transaction or by signing an EIP-712 grant that anyone may redeem.
interface IAccessGrants {
    /// @notice An approver's signed grant, redeemable once by anyone before its deadline.
    /// @param datanetId The Datanet.
    /// @param grantee Who receives access.
    /// @param scopes Bit set of SCOPE_TRAIN, SCOPE_RETRIEVE, SCOPE_EVALUATE.
    /// @param expiresAt When the access ends (unix seconds).
    /// @param nonce The approver's nonce; each may be used or cancelled once.
    /// @param deadline Last moment the signature may be redeemed (unix seconds).
    /// @param issuedAt When the approver issued it (unix seconds): it must be later than the
    /// grantee's latest grant or revocation and within the approver's current term.
    struct AccessGrant {
        uint256 datanetId;
        address grantee;
        uint8 scopes;
        uint64 expiresAt;
        uint256 nonce;
        uint256 deadline;
        uint64 issuedAt;
    }

    /// @notice Thrown when scopes are empty or contain unknown bits.
    /// @param scopes The offending value.
    error InvalidScopes(uint8 scopes);
    /// @notice Thrown when a grant's expiry is not in the future.
    /// @param expiresAt The offending expiry.
    error ExpiryInPast(uint64 expiresAt);
    /// @notice Thrown when a grant's expiry is more than {MAX_GRANT_DURATION} away.
    /// @param expiresAt The offending expiry.
    /// @param maxExpiresAt The latest expiry accepted now.
    error ExpiryTooFar(uint64 expiresAt, uint64 maxExpiresAt);
    /// @notice Thrown when a signed grant's issue time is further in the future than clock skew allows.
    /// @param issuedAt The grant's issue time.
    error GrantIssuedInFuture(uint64 issuedAt);
    /// @notice Thrown when a signed grant was issued before its signer's current term as approver
    /// (before it was last added, or before it took ownership).
    /// @param approver The signer.
    /// @param issuedAt The grant's issue time.
    /// @param approverSince When the signer's current term began.
    error GrantIssuedBeforeApproval(address approver, uint64 issuedAt, uint64 approverSince);
    /// @notice Thrown when a signed grant is not newer than the grantee's latest grant or revocation.
    /// @param datanetId The Datanet.
    /// @param grantee The grantee.
    /// @param issuedAt The signed grant's issue time.
    /// @param latestIssuedAt Issue time of the latest grant or revocation.
    error GrantOutdated(uint256 datanetId, address grantee, uint64 issuedAt, uint64 latestIssuedAt);
    /// @notice Thrown when a signed grant is redeemed after its deadline.
    /// @param deadline The grant's deadline.
    error SignatureExpired(uint256 deadline);
    /// @notice Thrown when a signature does not come from the named approver.
    /// @param approver The claimed signer.
    error InvalidSignature(address approver);
    /// @notice Thrown when an approver's nonce was already used or cancelled.
    /// @param approver The approver.
    /// @param nonce The nonce.
    error NonceAlreadyUsed(address approver, uint256 nonce);
    /// @notice Thrown when no open access request has this id (never made, or already denied).
    /// @param requestId The id.
    error AccessRequestNotFound(uint256 requestId);
    /// @notice Thrown when denying, under one Datanet, a request made to another.
    /// @param requestId The request.
    /// @param datanetId The Datanet named by the caller.
    /// @param requestDatanetId The Datanet the request was made to.
    error AccessRequestOfOtherDatanet(uint256 requestId, uint256 datanetId, uint256 requestDatanetId);
    /// @notice Thrown when revoking access that does not exist.
    /// @param datanetId The Datanet.
    /// @param grantee The account.
    error NoGrant(uint256 datanetId, address grantee);

    /// @notice Emitted when a builder asks for access.
    /// @param requestId The request's id.
    /// @param datanetId The Datanet.
    /// @param requester The asking account.
    /// @param scopes Requested scopes.
    /// @param purposeURI Content-addressed statement of purpose.
    event AccessRequested(
        uint256 indexed requestId, uint256 indexed datanetId, address indexed requester, uint8 scopes, string purposeURI
    );
    /// @notice Emitted when an approver declines a request.
    /// @param requestId The request.
    /// @param datanetId The Datanet.
    /// @param approver The approver.
    /// @param reason Free-text reason.
    event AccessRequestDenied(uint256 indexed requestId, uint256 indexed datanetId, address indexed approver, string reason);
    /// @notice Emitted when access is granted (replacing any previous grant of the grantee).
    /// @param datanetId The Datanet.
    /// @param grantee The account that received access.
    /// @param approver The approver who granted (the signer, for a signed grant).
    /// @param scopes Granted scopes.
    /// @param expiresAt When the access ends.
    /// @param nonce The signature's nonce, or 0 for a grant by transaction.
    /// @param bySignature Whether the grant was a redeemed signature.
    event AccessGranted(
        uint256 indexed datanetId,
        address indexed grantee,
        address indexed approver,
        uint8 scopes,
        uint64 expiresAt,
        uint256 nonce,
        bool bySignature
    );
    /// @notice Emitted when an approver revokes a grant.
    /// @param datanetId The Datanet.
    /// @param grantee The account that lost access.
    /// @param approver The approver.
    event AccessRevoked(uint256 indexed datanetId, address indexed grantee, address indexed approver);
    /// @notice Emitted when an approver cancels an unredeemed signature's nonce.
    /// @param approver The approver.
    /// @param nonce The cancelled nonce.
    event GrantSignatureCancelled(address indexed approver, uint256 nonce);

    /// @notice Whether `account` may use the Datanet for `scope` now. Open Datanets answer true;
    /// owners and approvers always may.
    function hasAccess(uint256 datanetId, address account, uint8 scope) external view returns (bool);
}
