// Type-checked against types generated from /api/openapi.json by openapi-typescript (see test_openapi.py).
import type { components, operations } from "./api";

type GameOut = operations["getGame"]["responses"][200]["content"]["application/json"];
type ErrorOut = components["schemas"]["ErrorOut"];
type CreateError = operations["createGame"]["responses"][400]["content"]["application/json"];

export function errorCode(error: CreateError): string {
  return error.error.code;
}

export function describe(game: GameOut): string {
  const state = game.state;
  if (state.game_type === "chess") {
    return state.fen; // narrowed to the chess state
  }
  if (game.game_type === "tictactoe") {
    return game.state.board.join("");
  }
  return game.status;
}

export function offered(game: GameOut): string[] {
  return game.legal_moves.map((m) => (m.san ?? m.move) + ":" + m.seat);
}

export function finished(game: GameOut): boolean {
  const status: "live" | "paused" | "finished" | "aborted" = game.status;
  return status === "finished" && game.result !== null && game.termination !== "other";
}

export const anError: ErrorOut = { error: { code: "not_found", message: "no such game", details: {} }, request_id: "r" };
