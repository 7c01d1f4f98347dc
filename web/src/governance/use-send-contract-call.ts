import { getContractError } from "viem";
import type { Abi, BaseError, Hex } from "viem";
import { useAccount, useSendTransaction } from "wagmi";

import type { ContractCall } from "../../../protocol/contract-call";

/**
 * Sends a call built in protocol/ from the connected wallet, as wagmi's writeContract would have sent the same
 * function: a failure is decoded with the contract's `abi`, so a revert names the contract's error.
 */
export function useSendContractCall(abi: Abi): (call: ContractCall) => Promise<Hex> {
  const { address } = useAccount();
  const { sendTransactionAsync } = useSendTransaction();
  return async (call) => {
    try {
      return await sendTransactionAsync({ to: call.to, data: call.data, value: call.value });
    } catch (error) {
      const failure: Error = getContractError(error as BaseError, {
        abi,
        address: call.to,
        args: Object.values(call.args),
        functionName: call.functionName,
        sender: address,
      });
      throw failure;
    }
  };
}
