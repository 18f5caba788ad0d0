/*
 * The Network section's page, loaded the first time the section opens (routes.tsx imports it
 * lazily): the console's first paint does not wait for it.
 */
export { NetworkPage } from './NetworkPage';
