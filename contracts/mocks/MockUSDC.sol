// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/**
 * @title MockUSDC
 * @notice A stand-in for USDC on local chains only: 6 decimals, ERC-2612 permit, and anyone may mint.
 * Never deploy it to a live network.
 */
contract MockUSDC is ERC20, ERC20Permit {
    constructor() ERC20("Mock USD Coin", "USDC") ERC20Permit("Mock USD Coin") {}

    /// @notice Mints `amount` (6 decimals) to `to`. Open to anyone: this is a faucet token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice USDC's 6 decimals.
    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
