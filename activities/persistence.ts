import type { Db } from '../db/client';
import type { ClosedTrade, StrategyConfig, TradingMode, UnlockEvent } from '../domain/types';
import type { RiskState } from '../domain/risk';
import { drawdownPct } from '../domain/risk';
import { limitsFor } from '../domain/ladder';
import { appendAudit } from './audit';
import { channelsFor, type NotifySettings } from '../config/notify';
import { isUniqueViolation } from './failures';

/**
 * DB writes the workflows ask for, so the DB tells the same story as the workflow history. Every write
 * is keyed by an id the workflow derives (never random), so a retried activity changes nothing twice.
 * Audit entries ride along with the rows they describe.
 */
export type AlertSeverity = 'info' | 'warning' | 'error' | 'critical';

export interface AlertInput {
  id: string;
  strategyId?: string;
  severity: AlertSeverity;
  kind: string;
  message: string;
  details?: unknown;
}

export function createPersistenceActivities({ db, log = console.log, notify }: { db: Db; log?: (line: string) => void; notify?: Pick<NotifySettings, 'channels'> }) {
  return {
    async recordWiringProbe(input: { id: string; note: string }): Promise<{ id: string; rows: number }> {
      await db.wiringProbe.upsert({ where: { id: input.id }, create: input, update: {} });
      return { id: input.id, rows: await db.wiringProbe.count() };
    },

    async recordStrategyStarted(i: { strategyId: string; workflowId: string; config: StrategyConfig; mode: TradingMode; at: number }): Promise<void> {
      const lim = limitsFor(i.mode, i.config);
      const data = {
        name: i.config.name ?? null,
        strategyType: i.config.strategy,
        configJson: JSON.stringify(i.config),
        mode: i.mode,
        state: 'RUNNING',
        workflowId: i.workflowId,
        initialCapital: i.config.capital.initial,
        riskPerTradePct: lim.riskPerTradePct,
        maxExposurePct: lim.maxExposurePct,
        dailyLossPct: lim.dailyLossPct,
      };
      await db.strategy.upsert({ where: { id: i.strategyId }, create: { id: i.strategyId, ...data }, update: data });
      await appendAudit(db, { entryKey: `${i.workflowId}:started:${i.at}`, kind: 'STRATEGY_STARTED', strategyId: i.strategyId, payload: { mode: i.mode, config: i.config }, at: new Date(i.at) });
    },

    async recordModeChange(i: {
      id: string;
      strategyId: string;
      fromMode: TradingMode;
      toMode: TradingMode;
      reason: string;
      at: number;
      approval?: { by: string; note?: string; decision: 'APPROVED' };
    }): Promise<void> {
      await db.modeChange.upsert({
        where: { id: i.id },
        create: { id: i.id, strategyId: i.strategyId, fromMode: i.fromMode, toMode: i.toMode, reason: i.reason, at: new Date(i.at) },
        update: {},
      });
      const strategy = await db.strategy.findUnique({ where: { id: i.strategyId } });
      if (strategy) {
        const cfg = JSON.parse(strategy.configJson) as StrategyConfig;
        const lim = limitsFor(i.toMode === 'EMERGENCY_STOP' ? i.fromMode : i.toMode, cfg);
        await db.strategy.update({
          where: { id: i.strategyId },
          data: {
            mode: i.toMode,
            state: i.toMode === 'EMERGENCY_STOP' ? 'EMERGENCY_STOP' : 'RUNNING',
            riskPerTradePct: lim.riskPerTradePct,
            maxExposurePct: lim.maxExposurePct,
            dailyLossPct: lim.dailyLossPct,
          },
        });
      }
      if (i.approval) {
        await db.approval.upsert({
          where: { id: `${i.id}:approval` },
          create: { id: `${i.id}:approval`, strategyId: i.strategyId, decision: 'APPROVED', approvedBy: i.approval.by, fromMode: i.fromMode, toMode: i.toMode, note: i.approval.note ?? null, at: new Date(i.at) },
          update: {},
        });
        await appendAudit(db, { entryKey: `${i.id}:approval`, kind: 'APPROVAL', strategyId: i.strategyId, payload: { ...i.approval, fromMode: i.fromMode, toMode: i.toMode }, at: new Date(i.at) });
      }
      await appendAudit(db, {
        entryKey: i.id,
        kind: i.toMode === 'EMERGENCY_STOP' ? 'EMERGENCY_STOP' : 'MODE_CHANGE',
        strategyId: i.strategyId,
        payload: { fromMode: i.fromMode, toMode: i.toMode, reason: i.reason },
        at: new Date(i.at),
      });
    },

    async recordApproval(i: { id: string; strategyId: string; decision: 'APPROVED' | 'REJECTED'; approvedBy: string; fromMode: TradingMode; toMode: TradingMode; note?: string; at: number }): Promise<void> {
      await db.approval.upsert({ where: { id: i.id }, create: { ...i, note: i.note ?? null, at: new Date(i.at) }, update: {} });
      await appendAudit(db, { entryKey: i.id, kind: 'APPROVAL', strategyId: i.strategyId, payload: i, at: new Date(i.at) });
    },

    /** An approval refused by the approver rules (not listed, or the same person twice): an audit entry, no approval row. */
    async recordApprovalRefused(i: { id: string; strategyId: string; command: string; by: string | null; mode: TradingMode; reason: string; at: number }): Promise<void> {
      await appendAudit(db, { entryKey: i.id, kind: 'APPROVAL_REFUSED', strategyId: i.strategyId, payload: i, at: new Date(i.at) });
    },

    /**
     * Stored once per id and printed by the worker; `alerts` in the CLI lists and acknowledges them.
     * The notification outbox rides in the same transaction: one PENDING AlertDelivery per configured
     * channel the severity reaches, so a crash leaves either the alert with its deliveries or neither
     * (the retry then writes both). The channel's notifier workflow sends them (activities/notify/).
     */
    async raiseAlert(i: AlertInput): Promise<void> {
      const existing = await db.alert.findUnique({ where: { id: i.id } });
      if (existing) return;
      const deliveries = channelsFor(notify, i.severity).map((c) => ({ id: `${i.id}|${c.name}`, alertId: i.id, channel: c.name, status: 'PENDING' }));
      try {
        await db.$transaction([
          db.alert.create({
            data: { id: i.id, strategyId: i.strategyId ?? null, severity: i.severity, kind: i.kind, message: i.message, detailsJson: i.details === undefined ? null : JSON.stringify(i.details) },
          }),
          ...deliveries.map((data) => db.alertDelivery.create({ data })),
        ]);
      } catch (e) {
        if (isUniqueViolation(e)) return; // a concurrent attempt of the same activity wrote it first
        throw e;
      }
      log(`[alert ${i.severity.toUpperCase()}] ${i.strategyId ? `${i.strategyId}: ` : ''}${i.kind}: ${i.message}`);
    },

    async saveRiskState(i: { strategyId: string; risk: RiskState; mode: TradingMode; state: string }): Promise<void> {
      const data = {
        equity: i.risk.equity,
        peakEquity: i.risk.peakEquity,
        dailyPnl: i.risk.dailyPnl,
        weeklyPnl: i.risk.weeklyPnl,
        monthlyPnl: i.risk.monthlyPnl,
        drawdownPct: drawdownPct(i.risk),
        consecutiveLosses: i.risk.consecutiveLosses,
        openExposure: i.risk.openExposure,
      };
      await db.riskState.upsert({ where: { strategyId: i.strategyId }, create: { strategyId: i.strategyId, ...data }, update: data });
      await db.strategy.updateMany({ where: { id: i.strategyId }, data: { mode: i.mode, state: i.state } });
    },

    /** Unlock events whose unlock falls in [from, until] (epoch ms), oldest first. */
    async loadUnlockCalendar(i: { from: number; until: number }): Promise<UnlockEvent[]> {
      const rows = await db.unlockEvent.findMany({ where: { unlockAt: { gte: new Date(i.from), lte: new Date(i.until) } }, orderBy: { unlockAt: 'asc' } });
      return rows.map((r) => ({
        id: r.id,
        symbol: r.symbol,
        unlockAt: r.unlockAt.getTime(),
        unlockAmount: r.unlockAmount.toString(),
        circulatingSupply: r.circulatingSupply.toString(),
      }));
    },

    async recordSignal(i: { id: string; strategyId: string; eventId: string; symbol: string; strength: string | null; accepted: boolean; reasons: unknown[] }): Promise<void> {
      await db.tradingSignal.upsert({
        where: { id: i.id },
        create: { id: i.id, strategyId: i.strategyId, eventId: i.eventId, symbol: i.symbol, strength: i.strength, accepted: i.accepted, reasonsJson: i.reasons.length ? JSON.stringify(i.reasons) : null },
        update: {},
      });
    },

    async recordPositionOpened(i: {
      positionId: string;
      strategyId: string;
      eventId: string;
      symbol: string;
      mode: TradingMode;
      quantity: string;
      entryPrice: string;
      entryFee: string;
      signalStrength: string;
      stopPrice: string;
      targetPrice: string;
      timeExitAt: number | null;
      openedAt: number;
    }): Promise<void> {
      const data = {
        strategyId: i.strategyId,
        eventId: i.eventId,
        symbol: i.symbol,
        mode: i.mode,
        status: 'OPEN',
        quantity: i.quantity,
        entryPrice: i.entryPrice,
        entryFee: i.entryFee,
        signalStrength: i.signalStrength,
        stopPrice: i.stopPrice,
        targetPrice: i.targetPrice,
        timeExitAt: i.timeExitAt === null ? null : new Date(i.timeExitAt),
        openedAt: new Date(i.openedAt),
      };
      await db.position.upsert({ where: { id: i.positionId }, create: { id: i.positionId, ...data }, update: data });
      await appendAudit(db, { entryKey: `${i.positionId}:opened`, kind: 'POSITION_OPENED', strategyId: i.strategyId, payload: i, at: new Date(i.openedAt) });
    },

    async recordPositionClosed(i: { positionId: string; strategyId: string; trade: ClosedTrade; exitFee: string }): Promise<void> {
      await db.position.update({
        where: { id: i.positionId },
        data: {
          status: 'CLOSED',
          exitPrice: i.trade.exitPrice,
          exitFee: i.exitFee,
          realizedPnl: i.trade.pnl,
          exitReason: i.trade.exitReason,
          closedAt: new Date(i.trade.closedAt),
        },
      });
      await appendAudit(db, { entryKey: `${i.positionId}:closed`, kind: 'POSITION_CLOSED', strategyId: i.strategyId, payload: i.trade, at: new Date(i.trade.closedAt) });
    },

    /** A position that ended without a trade (filters, risk refusal, window missed, strategy stopped). */
    async recordPositionEnded(i: { positionId: string; strategyId: string; eventId: string; symbol: string; mode?: TradingMode; status: 'SKIPPED' | 'FAILED'; reason: string; at: number }): Promise<void> {
      const data = { strategyId: i.strategyId, eventId: i.eventId, symbol: i.symbol, mode: i.mode ?? 'PAPER', status: i.status, exitReason: i.reason.slice(0, 500), closedAt: new Date(i.at) };
      const existing = await db.position.findUnique({ where: { id: i.positionId } });
      if (existing) await db.position.update({ where: { id: i.positionId }, data: { status: i.status, exitReason: data.exitReason, closedAt: data.closedAt } });
      else await db.position.create({ data: { id: i.positionId, ...data } });
    },
  };
}

export type PersistenceActivities = ReturnType<typeof createPersistenceActivities>;
