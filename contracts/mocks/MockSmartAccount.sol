// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/**
 * @title MockSmartAccount
 * @notice For tests and local chains only: the smallest ERC-1271 smart account, whose signatures are its owner's
 * ECDSA signatures over the same hash. It lets the API prove that Sign-In with Ethereum works for contract wallets.
 */
contract MockSmartAccount is IERC1271 {
    /// @notice The account was deployed without an owner, so no signature could ever be valid.
    error MockSmartAccountZeroOwner();

    /// @notice The only key whose signatures this account accepts.
    address public immutable owner;

    /// @notice Reverts with {MockSmartAccountZeroOwner} when `owner_` is the zero address.
    constructor(address owner_) {
        if (owner_ == address(0)) revert MockSmartAccountZeroOwner();
        owner = owner_;
    }

    /**
     * @notice ERC-1271: returns the magic value `0x1626ba7e` when `signature` is the owner's signature of `hash`,
     * and `0xffffffff` for anything else (a malformed signature included), never reverting.
     */
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError error, ) = ECDSA.tryRecoverCalldata(hash, signature);
        if (error == ECDSA.RecoverError.NoError && signer == owner) return IERC1271.isValidSignature.selector;
        return bytes4(0xffffffff);
    }
}
