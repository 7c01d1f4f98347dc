import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type {
  DisputeDetail,
  DisputeEvidence,
  DisputeList,
  DisputeMessage,
  OpenedDispute,
  RuledDispute,
} from "../../../protocol/api/disputes";
import type { AdminOverview } from "../../../protocol/api/admin-overview";
import { useSession } from "../api/session-context";
import type { Session } from "../api/session-context";

// Every key starts with "orders": a dispute changes its order, and the live event stream refetches ["orders"] when a
// notification (a message, a ruling) or a chain change arrives, so an open thread updates without a reload.

/** An order's disputes, newest first (one opened straight on-chain included). */
export function useOrderDisputes(orderId: string) {
  const session = useSession();
  return useQuery({
    queryKey: ["orders", "disputes", "order", orderId],
    queryFn: ({ signal }) => session.request<DisputeList>(`/api/orders/${orderId}/disputes`, { signal }),
    enabled: session.user !== undefined,
  });
}

/**
 * One dispute with its thread and evidence. While an escrow ruling waits for the indexer to report its transaction it
 * is read again every two seconds, until it is settled; otherwise a minute before its photo links expire, so the
 * photos keep opening on a page left open.
 */
export function useDispute(id: string | undefined) {
  const session = useSession();
  return useQuery({
    queryKey: ["orders", "disputes", "detail", id],
    queryFn: ({ signal }) => session.request<DisputeDetail>(`/api/disputes/${id}`, { signal }),
    enabled: session.user !== undefined && id !== undefined,
    refetchInterval: (query) => {
      const dispute = query.state.data;
      if (dispute?.ruling?.pending === true) return 2_000;
      const expiries = (dispute?.evidence ?? []).flatMap((item) =>
        item.photo === null ? [] : [Date.parse(item.photo.expiresAt)],
      );
      return expiries.length === 0 ? false : Math.max(Math.min(...expiries) - Date.now() - 60_000, 5_000);
    },
  });
}

/** Open disputes, oldest first: the arbiters' queue. */
export function useDisputeQueue() {
  const session = useSession();
  return useQuery({
    queryKey: ["orders", "disputes", "queue"],
    queryFn: ({ signal }) => session.request<DisputeList>("/api/arbiter/disputes", { signal }),
    // The queue is the arbiters' (the API refuses anyone else): an admin finds open disputes on the admin page.
    enabled: session.user?.roles.includes("arbiter") === true,
  });
}

/** Flagged payments, open disputes and the latest reconciliation runs, for admins. */
export function useAdminOverview() {
  const session = useSession();
  return useQuery({
    queryKey: ["orders", "disputes", "admin-overview"],
    queryFn: ({ signal }) => session.request<AdminOverview>("/api/admin/overview", { signal }),
    enabled: session.user !== undefined,
  });
}

/** What opening a dispute takes: the reason, and a photo to add as its first evidence. */
export interface OpenDisputeInput {
  reason: string;
  photo: File | undefined;
}

/**
 * Opens a dispute over the order, then uploads the photo as its evidence. For an escrow order the answer carries the
 * openDispute call the party's wallet must still send. A photo that fails to upload does not undo the opening (the
 * wallet must still send the call): `photoFailed` says to add it again from the thread.
 */
export function useOpenDispute(orderId: string) {
  const session = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ reason, photo }: OpenDisputeInput) => {
      const opened = await session.request<OpenedDispute>(`/api/orders/${orderId}/disputes`, {
        method: "POST",
        body: { reason },
      });
      const photoFailed =
        photo !== undefined &&
        (await uploadEvidence(session, opened.dispute.id, photo).then(
          () => false,
          () => true,
        ));
      return { ...opened, photoFailed };
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["orders"] }),
  });
}

function uploadEvidence(session: Session, disputeId: string, photo: File) {
  const form = new FormData();
  form.append("photo", photo);
  return session.request<DisputeEvidence>(`/api/disputes/${disputeId}/evidence`, { method: "POST", body: form });
}

/** Posting to a dispute's thread and adding photo evidence. */
export function useDisputeActions(disputeId: string) {
  const session = useSession();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["orders", "disputes", "detail", disputeId] });
  return {
    message: useMutation({
      mutationFn: (body: string) =>
        session.request<DisputeMessage>(`/api/disputes/${disputeId}/messages`, { method: "POST", body: { body } }),
      onSettled: refresh,
    }),
    evidence: useMutation({
      mutationFn: (photo: File) => uploadEvidence(session, disputeId, photo),
      onSettled: refresh,
    }),
  };
}

/**
 * An arbiter rules: `buyerShareMinor` goes back to the buyer. A card order is refunded by the API; an escrow order's
 * answer carries the rule call the arbiter's wallet sends.
 */
export function useRuleDispute(disputeId: string) {
  const session = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (buyerShareMinor: number) =>
      session.request<RuledDispute>(`/api/disputes/${disputeId}/ruling`, {
        method: "POST",
        body: { buyerShareMinor },
      }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["orders"] }),
  });
}
