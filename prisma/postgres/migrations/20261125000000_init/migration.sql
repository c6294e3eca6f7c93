-- CreateTable
CREATE TABLE "Strategy" (
    "id" TEXT NOT NULL,
    "name" TEXT,
    "strategyType" TEXT NOT NULL,
    "configJson" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "initialCapital" DECIMAL(65,30) NOT NULL,
    "riskPerTradePct" DECIMAL(65,30) NOT NULL,
    "maxExposurePct" DECIMAL(65,30) NOT NULL,
    "dailyLossPct" DECIMAL(65,30) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Strategy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UnlockEvent" (
    "id" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "unlockAt" TIMESTAMP(3) NOT NULL,
    "unlockAmount" DECIMAL(65,30) NOT NULL,
    "circulatingSupply" DECIMAL(65,30) NOT NULL,
    "source" TEXT,
    "importedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UnlockEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TradingSignal" (
    "id" TEXT NOT NULL,
    "strategyId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "strength" DECIMAL(65,30),
    "accepted" BOOLEAN NOT NULL,
    "reasonsJson" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TradingSignal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Position" (
    "id" TEXT NOT NULL,
    "strategyId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "quantity" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "entryPrice" DECIMAL(65,30),
    "exitPrice" DECIMAL(65,30),
    "entryFee" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "exitFee" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "realizedPnl" DECIMAL(65,30),
    "signalStrength" DECIMAL(65,30),
    "stopPrice" DECIMAL(65,30),
    "targetPrice" DECIMAL(65,30),
    "timeExitAt" TIMESTAMP(3),
    "exitReason" TEXT,
    "openedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Position_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Order" (
    "id" TEXT NOT NULL,
    "clientOrderId" TEXT NOT NULL,
    "strategyId" TEXT NOT NULL,
    "positionId" TEXT,
    "purpose" TEXT NOT NULL,
    "venue" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "amount" DECIMAL(65,30) NOT NULL,
    "price" DECIMAL(65,30),
    "status" TEXT NOT NULL,
    "exchangeOrderId" TEXT,
    "filledAmount" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "avgPrice" DECIMAL(65,30),
    "fee" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "feeCurrency" TEXT,
    "signalPrice" DECIMAL(65,30),
    "signalSize" DECIMAL(65,30),
    "expectedSlippagePct" DECIMAL(65,30),
    "realizedSlippagePct" DECIMAL(65,30),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Fill" (
    "id" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "tradeId" TEXT NOT NULL,
    "price" DECIMAL(65,30) NOT NULL,
    "amount" DECIMAL(65,30) NOT NULL,
    "fee" DECIMAL(65,30) NOT NULL,
    "feeCurrency" TEXT,
    "filledAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Fill_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BalanceSnapshot" (
    "id" TEXT NOT NULL,
    "strategyId" TEXT,
    "venue" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "free" DECIMAL(65,30) NOT NULL,
    "used" DECIMAL(65,30) NOT NULL,
    "total" DECIMAL(65,30) NOT NULL,
    "takenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BalanceSnapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RiskState" (
    "strategyId" TEXT NOT NULL,
    "equity" DECIMAL(65,30) NOT NULL,
    "peakEquity" DECIMAL(65,30) NOT NULL,
    "dailyPnl" DECIMAL(65,30) NOT NULL,
    "weeklyPnl" DECIMAL(65,30) NOT NULL,
    "monthlyPnl" DECIMAL(65,30) NOT NULL,
    "drawdownPct" DECIMAL(65,30) NOT NULL,
    "consecutiveLosses" INTEGER NOT NULL,
    "openExposure" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RiskState_pkey" PRIMARY KEY ("strategyId")
);

-- CreateTable
CREATE TABLE "ModeChange" (
    "id" TEXT NOT NULL,
    "strategyId" TEXT NOT NULL,
    "fromMode" TEXT NOT NULL,
    "toMode" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ModeChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Approval" (
    "id" TEXT NOT NULL,
    "strategyId" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "approvedBy" TEXT NOT NULL,
    "fromMode" TEXT NOT NULL,
    "toMode" TEXT NOT NULL,
    "note" TEXT,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Approval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" TEXT NOT NULL,
    "strategyId" TEXT,
    "severity" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "detailsJson" TEXT,
    "acknowledged" BOOLEAN NOT NULL DEFAULT false,
    "acknowledgedBy" TEXT,
    "acknowledgedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "seq" SERIAL NOT NULL,
    "entryKey" TEXT NOT NULL,
    "strategyId" TEXT,
    "kind" TEXT NOT NULL,
    "payloadJson" TEXT NOT NULL,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "DailyReport" (
    "id" TEXT NOT NULL,
    "strategyId" TEXT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "periodEnd" TIMESTAMP(3) NOT NULL,
    "payloadJson" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DailyReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WiringProbe" (
    "id" TEXT NOT NULL,
    "note" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WiringProbe_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PaperVenueOrder" (
    "clientOrderId" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "orderJson" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PaperVenueOrder_pkey" PRIMARY KEY ("clientOrderId")
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

-- AddForeignKey
ALTER TABLE "Fill" ADD CONSTRAINT "Fill_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

