// Chart colours, matched to StateBadge's tones so a severity has one colour across the dashboard.
export const SEVERITY_COLORS = {
  CRITICAL: '#7a0916',
  HIGH: '#d1242f',
  MEDIUM: '#bf8700',
  LOW: '#1f6feb',
  INFO: '#8c959f',
} as const;

export const OPENED_COLOR = '#d1242f';
export const CLOSED_COLOR = '#1a7f37';
