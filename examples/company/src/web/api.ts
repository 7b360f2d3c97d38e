/**
 * Fleetview public REST API (v2) - robot status and mission endpoints.
 *
 * Customers integrate their WMS with these endpoints. Every request is scoped
 * to a tenant by its API key; never return robots of another tenant.
 */
import express, { NextFunction, Request, Response } from "express";
import { z } from "zod";
import { FleetStore, RobotStatus } from "./fleet-store";
import { requireApiKey, TenantContext } from "./auth";

export const router = express.Router();

/** Error codes surfaced to API clients; mirrors firmware codes where relevant. */
export enum ApiErrorCode {
  NotFound = "ERR_NOT_FOUND",
  Validation = "ERR_VALIDATION",
  Timeout = "ERR_TIMEOUT", // robot did not acknowledge a command within the deadline
  RobotBusy = "ERR_ROBOT_BUSY",
  RateLimited = "ERR_RATE_LIMITED",
}

export class ApiError extends Error {
  constructor(public status: number, public code: ApiErrorCode, message: string) {
    super(message);
  }
}

const MissionRequest = z.object({
  robotId: z.string().regex(/^NR-(200|500)-[0-9]{5}$/),
  pickup: z.string().min(1),     // location code from the site map, e.g. "A-12-03"
  dropoff: z.string().min(1),
  priority: z.enum(["low", "normal", "high"]).default("normal"),
  payloadKg: z.number().positive().max(500).optional(),
});

const COMMAND_ACK_TIMEOUT_MS = 5_000;

function tenant(req: Request): TenantContext {
  return (req as Request & { tenant: TenantContext }).tenant;
}

router.use(requireApiKey);

/** GET /v2/robots - list robots with battery level, state and last error. */
router.get("/v2/robots", async (req: Request, res: Response) => {
  const store: FleetStore = req.app.locals.store;
  const robots: RobotStatus[] = await store.listRobots(tenant(req).tenantId);
  res.json({
    robots: robots.map((r) => ({
      id: r.id,
      model: r.model,
      state: r.state, // "idle" | "mission" | "charging" | "fault"
      batteryPct: r.batteryPct,
      lastError: r.lastError ?? null, // e.g. "ERR_LOCALIZATION_LOST"
      updatedAt: r.updatedAt.toISOString(),
    })),
  });
});

/** POST /v2/missions - send a robot from pickup to dropoff. */
router.post("/v2/missions", async (req: Request, res: Response, next: NextFunction) => {
  try {
    const body = MissionRequest.parse(req.body);
    const store: FleetStore = req.app.locals.store;
    const robot = await store.getRobot(tenant(req).tenantId, body.robotId);
    if (!robot) throw new ApiError(404, ApiErrorCode.NotFound, `unknown robot ${body.robotId}`);
    if (robot.state === "mission") {
      throw new ApiError(409, ApiErrorCode.RobotBusy, `${robot.id} is already on a mission`);
    }
    if (robot.model === "NR-200" && (body.payloadKg ?? 0) > 60) {
      throw new ApiError(400, ApiErrorCode.Validation, "NR-200 payload limit is 60 kg");
    }

    const missionId = await store.createMission(robot.id, body);
    const acked = await store.waitForAck(missionId, COMMAND_ACK_TIMEOUT_MS);
    if (!acked) {
      // The mission stays queued; the robot will pick it up when it reconnects.
      throw new ApiError(504, ApiErrorCode.Timeout, `robot ${robot.id} did not acknowledge mission ${missionId}`);
    }
    res.status(201).json({ missionId, robotId: robot.id, status: "accepted" });
  } catch (err) {
    next(err);
  }
});

/** Error handler: stable JSON error body for WMS integrations. */
router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
  if (err instanceof ApiError) {
    res.status(err.status).json({ error: { code: err.code, message: err.message } });
  } else if (err instanceof z.ZodError) {
    res.status(400).json({ error: { code: ApiErrorCode.Validation, message: err.issues[0]?.message } });
  } else {
    res.status(500).json({ error: { code: "ERR_INTERNAL", message: "internal error" } });
  }
});
