export {
  BUDGET_HEADER, budgetFromHeader, currentBudget, DeadlineExceededError, remainingBudgetMs, runWithBudget, stepTimeoutMs, type RequestBudget,
} from './requestBudget.js';
