-- CreateTable
CREATE TABLE "Strategy" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT,
    "strategyType" TEXT NOT NULL,
    "configJson" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "initialCapital" TEXT NOT NULL,
    "riskPerTradePct" TEXT NOT NULL,
    "maxExposurePct" TEXT NOT NULL,
    "dailyLossPct" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "UnlockEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "symbol" TEXT NOT NULL,
    "unlockAt" DATETIME NOT NULL,
    "unlockAmount" TEXT NOT NULL,
    "circulatingSupply" TEXT NOT NULL,
    "source" TEXT,
    "importedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "TradingSignal" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "strategyId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "strength" TEXT,
    "accepted" BOOLEAN NOT NULL,
    "reasonsJson" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Position" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "strategyId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "quantity" TEXT NOT NULL DEFAULT '0',
    "entryPrice" TEXT,
    "exitPrice" TEXT,
    "entryFee" TEXT NOT NULL DEFAULT '0',
    "exitFee" TEXT NOT NULL DEFAULT '0',
    "realizedPnl" TEXT,
    "signalStrength" TEXT,
    "stopPrice" TEXT,
    "targetPrice" TEXT,
    "timeExitAt" DATETIME,
    "exitReason" TEXT,
    "openedAt" DATETIME,
    "closedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Order" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clientOrderId" TEXT NOT NULL,
    "strategyId" TEXT NOT NULL,
    "positionId" TEXT,
    "purpose" TEXT NOT NULL,
    "venue" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "price" TEXT,
    "status" TEXT NOT NULL,
    "exchangeOrderId" TEXT,
    "filledAmount" TEXT NOT NULL DEFAULT '0',
    "avgPrice" TEXT,
    "fee" TEXT NOT NULL DEFAULT '0',
    "feeCurrency" TEXT,
    "signalPrice" TEXT,
    "signalSize" TEXT,
    "expectedSlippagePct" TEXT,
    "realizedSlippagePct" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Fill" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orderId" TEXT NOT NULL,
    "tradeId" TEXT NOT NULL,
    "price" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "fee" TEXT NOT NULL,
    "feeCurrency" TEXT,
    "filledAt" DATETIME NOT NULL,
    CONSTRAINT "Fill_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "BalanceSnapshot" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "strategyId" TEXT,
    "venue" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "free" TEXT NOT NULL,
    "used" TEXT NOT NULL,
    "total" TEXT NOT NULL,
    "takenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "RiskState" (
    "strategyId" TEXT NOT NULL PRIMARY KEY,
    "equity" TEXT NOT NULL,
    "peakEquity" TEXT NOT NULL,
    "dailyPnl" TEXT NOT NULL,
    "weeklyPnl" TEXT NOT NULL,
    "monthlyPnl" TEXT NOT NULL,
    "drawdownPct" TEXT NOT NULL,
    "consecutiveLosses" INTEGER NOT NULL,
    "openExposure" TEXT NOT NULL DEFAULT '0',
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ModeChange" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "strategyId" TEXT NOT NULL,
    "fromMode" TEXT NOT NULL,
    "toMode" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Approval" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "strategyId" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "approvedBy" TEXT NOT NULL,
    "fromMode" TEXT NOT NULL,
    "toMode" TEXT NOT NULL,
    "note" TEXT,
    "at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "strategyId" TEXT,
    "severity" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "detailsJson" TEXT,
    "acknowledged" BOOLEAN NOT NULL DEFAULT false,
    "acknowledgedBy" TEXT,
    "acknowledgedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "entryKey" TEXT NOT NULL,
    "strategyId" TEXT,
    "kind" TEXT NOT NULL,
    "payloadJson" TEXT NOT NULL,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "DailyReport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "strategyId" TEXT NOT NULL,
    "periodStart" DATETIME NOT NULL,
    "periodEnd" DATETIME NOT NULL,
    "payloadJson" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "WiringProbe" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "note" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "PaperVenueOrder" (
    "clientOrderId" TEXT NOT NULL PRIMARY KEY,
    "symbol" TEXT NOT NULL,
    "orderJson" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "Strategy_workflowId_key" ON "Strategy"("workflowId");

-- CreateIndex
CREATE INDEX "UnlockEvent_unlockAt_idx" ON "UnlockEvent"("unlockAt");

-- CreateIndex
CREATE INDEX "TradingSignal_strategyId_idx" ON "TradingSignal"("strategyId");

-- CreateIndex
CREATE INDEX "Position_strategyId_status_idx" ON "Position"("strategyId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Position_strategyId_eventId_key" ON "Position"("strategyId", "eventId");

-- CreateIndex
CREATE UNIQUE INDEX "Order_clientOrderId_key" ON "Order"("clientOrderId");

-- CreateIndex
CREATE INDEX "Order_strategyId_idx" ON "Order"("strategyId");

-- CreateIndex
CREATE INDEX "Order_positionId_idx" ON "Order"("positionId");

-- CreateIndex
CREATE UNIQUE INDEX "Fill_orderId_tradeId_key" ON "Fill"("orderId", "tradeId");

-- CreateIndex
CREATE INDEX "BalanceSnapshot_venue_takenAt_idx" ON "BalanceSnapshot"("venue", "takenAt");

-- CreateIndex
CREATE INDEX "ModeChange_strategyId_idx" ON "ModeChange"("strategyId");

-- CreateIndex
CREATE INDEX "Approval_strategyId_idx" ON "Approval"("strategyId");

-- CreateIndex
CREATE INDEX "Alert_acknowledged_createdAt_idx" ON "Alert"("acknowledged", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEntry_entryKey_key" ON "AuditEntry"("entryKey");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEntry_prevHash_key" ON "AuditEntry"("prevHash");

-- CreateIndex
CREATE INDEX "DailyReport_strategyId_idx" ON "DailyReport"("strategyId");

