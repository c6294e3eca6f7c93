import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes (all Keyword) so the Web UI and `temporal workflow list --query` can
 * filter strategies and positions. The dev-server script registers exactly these.
 */
export const StrategyIdKey = defineSearchAttributeKey('StrategyId', SearchAttributeType.KEYWORD);
export const TradingModeKey = defineSearchAttributeKey('TradingMode', SearchAttributeType.KEYWORD);
export const SymbolKey = defineSearchAttributeKey('Symbol', SearchAttributeType.KEYWORD);
export const PositionStatusKey = defineSearchAttributeKey('PositionStatus', SearchAttributeType.KEYWORD);
export const StrategyStateKey = defineSearchAttributeKey('StrategyState', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [StrategyIdKey, TradingModeKey, SymbolKey, PositionStatusKey, StrategyStateKey].map((k) => ({
  name: k.name,
  type: 'Keyword' as const,
}));
