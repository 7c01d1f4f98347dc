import { setUserRoles } from "../../accounts/set-user-roles.js";
import { defineRoute } from "../../http/define-route.js";
import type { ApiRoute } from "../../http/define-route.js";
import { setRolesBody, userParams, userRolesResponse } from "../../../../protocol/api/admin-users.js";

/** What admins do to other users' accounts. */
export function createAdminUserRoutes(): ApiRoute[] {
  return [
    defineRoute({
      method: "put",
      path: "/api/admin/users/:id/roles",
      auth: ["admin"],
      summary: "Set a user's roles (grant or revoke buyer, farmer, arbiter, admin)",
      description:
        "Takes effect at the user's next access token (sign-in or refresh). Admins cannot remove their own admin role.",
      tags: ["admin"],
      request: { params: userParams, body: setRolesBody },
      responses: { 200: userRolesResponse },
    }).handle(async ({ user, params, body, em, log }) => {
      const updated = await setUserRoles(em, { adminId: user.id, userId: params.id, roles: body.roles });
      log.info({ adminId: user.id, userId: updated.id, roles: updated.roles }, "roles set");
      return { status: 200, body: { id: updated.id, roles: [...updated.roles] } };
    }),
  ];
}
