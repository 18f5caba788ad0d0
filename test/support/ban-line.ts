/**
 * How a node writes when a ban ends (network-node's clockTime): the time of day when it ends
 * today, the date and minute when it ends on another day. A ban of an hour made after 23:00
 * ends tomorrow, so a test that expected only the first form failed late in the evening.
 */
export const BANNED_UNTIL = String.raw`banned until (?:\d\d:\d\d:\d\d|\d{4}-\d\d-\d\d \d\d:\d\d)`;
