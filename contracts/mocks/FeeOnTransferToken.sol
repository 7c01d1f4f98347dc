// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title FeeOnTransferToken
 * @notice For tests and local chains only: an ERC-20 that burns {FEE_BPS} of every transfer between two accounts,
 * so the recipient receives less than the amount named in the call.
 */
contract FeeOnTransferToken is ERC20 {
    /// @notice The share of each transfer burnt on the way, in basis points.
    uint256 public constant FEE_BPS = 100;

    constructor() ERC20("Fee On Transfer", "FOT") {}

    /// @notice Mints `amount` to `to`. Open to anyone: this is a test token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) {
            super._update(from, to, value);
            return;
        }
        uint256 cut = (value * FEE_BPS) / 10_000;
        super._update(from, address(0), cut);
        super._update(from, to, value - cut);
    }
}
