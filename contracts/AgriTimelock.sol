// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/**
 * @title AgriTimelock
 * @notice The DAO's timelock and treasury: OpenZeppelin's TimelockController, unchanged. It exists as a contract of
 * this project so that its artifact is compiled here and deployments, ABIs and addresses name it like the others.
 * @dev Deployment makes the governor the only proposer and canceller, lets anyone execute, and renounces the
 * deployer's admin role once the roles are wired.
 */
contract AgriTimelock is TimelockController {
    /**
     * @param minDelay Seconds between queuing and executing an operation.
     * @param proposers Accounts that may schedule (and cancel) operations.
     * @param executors Accounts that may execute; address(0) lets anyone execute.
     * @param admin Optional temporary admin to wire roles at deployment; address(0) for none.
     */
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
