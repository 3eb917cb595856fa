// Numbers as people read them on the dashboard.

const DASH = '–';

export function rate(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Milliseconds, with the unit. */
export function millis(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  if (value < 1) return `${(value * 1000).toFixed(0)} µs`;
  if (value < 10) return `${value.toFixed(2)} ms`;
  if (value < 100) return `${value.toFixed(1)} ms`;
  if (value < 1000) return `${value.toFixed(0)} ms`;
  return `${(value / 1000).toFixed(2)} s`;
}

export function percent(share) {
  if (share === null || share === undefined || !Number.isFinite(share)) return DASH;
  return `${(share * 100).toFixed(share >= 0.995 || share === 0 ? 0 : 1)}%`;
}

export function count(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return value.toLocaleString('en-US');
}

/** A loss or an error: compact, with an exponent when small. */
export function loss(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  if (value === 0) return '0';
  return Math.abs(value) < 0.01 || Math.abs(value) >= 1e4 ? value.toExponential(2) : value.toPrecision(3);
}

export function duration(seconds) {
  if (!Number.isFinite(seconds)) return DASH;
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  const hours = Math.floor(seconds / 3600);
  return hours < 48 ? `${hours}h ${Math.floor((seconds % 3600) / 60)}m` : `${Math.floor(hours / 24)}d`;
}

/** An id shortened for a list, whole in its title. */
export function shortId(id) {
  return id.length > 16 ? `${id.slice(0, 12)}…` : id;
}
