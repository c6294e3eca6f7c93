import type { Command } from "commander"; import type { Ctx } from "../context"; export function registerDataCommands(_p: Command, _c: Ctx): void {}
