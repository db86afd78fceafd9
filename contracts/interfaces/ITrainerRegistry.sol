// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title ITrainerRegistry
/// @notice Trainer nodes admitted by the protocol admin: an operator address, a public API
/// endpoint, a metadata document (base models served, hardware) and an on/off switch.
interface ITrainerRegistry {
    /// @notice Thrown when an operator is admitted twice.
    /// @param operator The operator.
    error TrainerAlreadyAdmitted(address operator);
    /// @notice Thrown when the operator is not an admitted trainer.
    /// @param operator The operator.
    error TrainerNotAdmitted(address operator);
    /// @notice Thrown when an endpoint is empty.
    error EmptyEndpoint();
    /// @notice Thrown when an address argument is the zero address.
    error ZeroOperator();

    /// @notice Emitted when the admin admits a trainer.
    /// @param operator The operator's address.
    /// @param endpoint The node's public API endpoint.
    /// @param metadataURI The node's metadata (models served, hardware).
    event TrainerAdmitted(address indexed operator, string endpoint, string metadataURI);
    /// @notice Emitted when an operator updates its endpoint or metadata.
    /// @param operator The operator.
    /// @param endpoint The new endpoint.
    /// @param metadataURI The new metadata URI.
    event TrainerUpdated(address indexed operator, string endpoint, string metadataURI);
    /// @notice Emitted when a trainer is switched on or off.
    /// @param operator The operator.
    /// @param active Whether it now takes jobs.
    event TrainerStatusChanged(address indexed operator, bool active);
    /// @notice Emitted when the admin removes a trainer.
    /// @param operator The operator.
    event TrainerRemoved(address indexed operator);

    /// @notice Whether `operator` is admitted and switched on.
    function isActiveTrainer(address operator) external view returns (bool);

    /// @notice Whether `operator` was admitted and not removed (switched on or off).
    function isAdmitted(address operator) external view returns (bool);
}
