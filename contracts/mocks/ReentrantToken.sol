// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {ArmedReentry} from "./ArmedReentry.sol";

/**
 * @title ReentrantToken
 * @notice For tests and local chains only: an ERC-20 that, once armed, calls back into a target (the escrow) from
 * inside its next `transfer` or `transferFrom`, after moving the balance. The call is made once, from the token's
 * own address.
 */
contract ReentrantToken is ERC20, ArmedReentry {
    constructor() ERC20("Reentrant Token", "REN") {}

    /// @notice Mints `amount` to `to`. Open to anyone: this is a test token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @inheritdoc ERC20
    function transfer(address to, uint256 value) public override returns (bool) {
        bool ok = super.transfer(to, value);
        _reenter();
        return ok;
    }

    /// @inheritdoc ERC20
    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        bool ok = super.transferFrom(from, to, value);
        _reenter();
        return ok;
    }
}
