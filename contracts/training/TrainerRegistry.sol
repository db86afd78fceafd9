// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ITrainerRegistry} from "../interfaces/ITrainerRegistry.sol";

/// @title TrainerRegistry
/// @notice The protocol admin admits trainer nodes; operators keep their endpoint and metadata
/// current and switch themselves on or off.
contract TrainerRegistry is ITrainerRegistry, AccessControl {
    /// @notice Role allowed to admit and remove trainers.
    bytes32 public constant TRAINER_ADMIN_ROLE = keccak256("TRAINER_ADMIN_ROLE");

    struct Trainer {
        bool admitted;
        bool active;
    }

    mapping(address operator => Trainer) private _trainers;

    /// @param admin Receives the default admin role and the trainer admin role.
    constructor(address admin) {
        if (admin == address(0)) revert ZeroOperator();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(TRAINER_ADMIN_ROLE, admin);
    }

    /// @notice Admits a trainer, active at once. Trainer admins only.
    function admitTrainer(address operator, string calldata endpoint, string calldata metadataURI)
        external
        onlyRole(TRAINER_ADMIN_ROLE)
    {
        if (operator == address(0)) revert ZeroOperator();
        if (bytes(endpoint).length == 0) revert EmptyEndpoint();
        if (_trainers[operator].admitted) revert TrainerAlreadyAdmitted(operator);
        _trainers[operator] = Trainer(true, true);
        emit TrainerAdmitted(operator, endpoint, metadataURI);
    }

    /// @notice Removes a trainer. Trainer admins only. It can no longer renew, complete, fail or
    /// release its claims, and anyone may release them at once (`TrainingJobs.releaseStaleClaim`).
    function removeTrainer(address operator) external onlyRole(TRAINER_ADMIN_ROLE) {
        if (!_trainers[operator].admitted) revert TrainerNotAdmitted(operator);
        delete _trainers[operator];
        emit TrainerRemoved(operator);
    }

    /// @notice Updates the caller's endpoint and metadata. Admitted operators only.
    function updateTrainer(string calldata endpoint, string calldata metadataURI) external {
        if (!_trainers[msg.sender].admitted) revert TrainerNotAdmitted(msg.sender);
        if (bytes(endpoint).length == 0) revert EmptyEndpoint();
        emit TrainerUpdated(msg.sender, endpoint, metadataURI);
    }

    /// @notice Switches the caller on or off. Admitted operators only.
    function setActive(bool active) external {
        Trainer storage t = _trainers[msg.sender];
        if (!t.admitted) revert TrainerNotAdmitted(msg.sender);
        t.active = active;
        emit TrainerStatusChanged(msg.sender, active);
    }

    /// @inheritdoc ITrainerRegistry
    function isAdmitted(address operator) external view returns (bool) {
        return _trainers[operator].admitted;
    }

    /// @inheritdoc ITrainerRegistry
    function isActiveTrainer(address operator) external view returns (bool) {
        Trainer memory t = _trainers[operator];
        return t.admitted && t.active;
    }
}
