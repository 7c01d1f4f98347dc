// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

/**
 * @title AgriToken
 * @notice AGRI, the AgriDAO governance token. Its whole supply is minted once, at deployment, to the accounts the
 * deployment names (the treasury, which is the DAO's timelock, among them); nobody can mint afterwards.
 * @dev Voting power is checkpointed by timestamp (ERC-6372 `mode=timestamp`) so that governance periods are stated
 * in seconds and mean the same on every chain, whatever its block time.
 */
contract AgriToken is ERC20, ERC20Permit, ERC20Votes {
    /// @notice The recipients and amounts lists differ in length.
    error AgriTokenAllocationMismatch(uint256 recipients, uint256 amounts);

    /**
     * @param treasury The DAO's timelock, which receives `treasurySupply`.
     * @param treasurySupply The treasury's share, in wei of AGRI (18 decimals).
     * @param recipients Other initial holders (contributors, and voters on local chains).
     * @param amounts How much each recipient receives, in wei of AGRI.
     */
    constructor(address treasury, uint256 treasurySupply, address[] memory recipients, uint256[] memory amounts)
        ERC20("AgriDAO", "AGRI")
        ERC20Permit("AgriDAO")
    {
        if (recipients.length != amounts.length) revert AgriTokenAllocationMismatch(recipients.length, amounts.length);
        _mint(treasury, treasurySupply);
        for (uint256 i = 0; i < recipients.length; ++i) {
            _mint(recipients[i], amounts[i]);
        }
    }

    /// @notice The token's clock: the block timestamp (ERC-6372).
    function clock() public view override returns (uint48) {
        return Time.timestamp();
    }

    /// @notice Describes the clock (ERC-6372).
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @notice The next ERC-2612 / delegation-by-signature nonce of `owner`.
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }
}
