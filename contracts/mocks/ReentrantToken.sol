// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title ReentrantToken
 * @notice For tests and local chains only: an ERC-20 that, once armed, calls back into a target (the escrow) from
 * inside its next `transfer` or `transferFrom`, after moving the balance. The call is made once, from the token's
 * own address; its failure is either bubbled up or only reported in {ReentryAttempted}.
 */
contract ReentrantToken is ERC20 {
    /// @notice The armed call to `target` returned `success` and `result` (the revert data on failure).
    event ReentryAttempted(address indexed target, bool success, bytes result);

    address private _target;
    bytes private _data;
    bool private _bubble;

    constructor() ERC20("Reentrant Token", "REN") {}

    /// @notice Mints `amount` to `to`. Open to anyone: this is a test token.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /**
     * @notice Arms the next transfer to call `target` with `data`.
     * @param bubble True to revert the transfer with the call's revert data when it fails, false to swallow it.
     */
    function arm(address target, bytes calldata data, bool bubble) external {
        _target = target;
        _data = data;
        _bubble = bubble;
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

    function _reenter() private {
        address target = _target;
        if (target == address(0)) return;
        bytes memory data = _data;
        bool bubble = _bubble;
        // Disarmed before the call so that the target's own transfers of this token do not loop back.
        delete _target;
        delete _data;
        delete _bubble;
        if (bubble) {
            emit ReentryAttempted(target, true, Address.functionCall(target, data));
        } else {
            // The raw call is the point: a failure is recorded, not propagated.
            // solhint-disable-next-line avoid-low-level-calls
            (bool success, bytes memory result) = target.call(data);
            emit ReentryAttempted(target, success, result);
        }
    }
}
