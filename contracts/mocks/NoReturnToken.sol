// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/**
 * @title NoReturnToken
 * @notice For tests and local chains only: an ERC-20-like token whose `approve`, `transfer` and `transferFrom`
 * return nothing, as USDT's do on mainnet. Callers that expect the standard `bool` fail to decode its answers;
 * SafeERC20 accepts them.
 */
contract NoReturnToken {
    /// @notice `account` holds `balance` and tried to move `needed`.
    error NoReturnTokenInsufficientBalance(address account, uint256 balance, uint256 needed);
    /// @notice `spender` may move `allowance` and tried to move `needed`.
    error NoReturnTokenInsufficientAllowance(address spender, uint256 allowance, uint256 needed);

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    // Lower-case like the ERC-20 getters these constants stand for.
    // solhint-disable-next-line const-name-snakecase
    string public constant name = "No Return Token";
    // solhint-disable-next-line const-name-snakecase
    string public constant symbol = "NRT";
    // solhint-disable-next-line const-name-snakecase
    uint8 public constant decimals = 6;

    uint256 public totalSupply;
    mapping(address account => uint256) public balanceOf;
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    /// @notice Mints `amount` to `to`. Open to anyone: this is a test token.
    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    /// @notice Lets `spender` move up to `amount` of the caller's tokens. Returns nothing.
    function approve(address spender, uint256 amount) external {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
    }

    /// @notice Moves `amount` from the caller to `to`. Returns nothing.
    function transfer(address to, uint256 amount) external {
        _move(msg.sender, to, amount);
    }

    /// @notice Moves `amount` from `from` to `to` on the caller's allowance. Returns nothing.
    function transferFrom(address from, address to, uint256 amount) external {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < amount) revert NoReturnTokenInsufficientAllowance(msg.sender, allowed, amount);
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        _move(from, to, amount);
    }

    function _move(address from, address to, uint256 amount) private {
        uint256 balance = balanceOf[from];
        if (balance < amount) revert NoReturnTokenInsufficientBalance(from, balance, amount);
        balanceOf[from] = balance - amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}
