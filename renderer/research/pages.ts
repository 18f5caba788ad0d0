/*
 * The Research section's layout and pages, loaded together the first time the section opens
 * (routes.tsx imports them lazily): the console's first paint does not wait for them.
 */
export { AnchorPage } from './AnchorPage';
export { ResearchLayout } from './ResearchLayout';
export { StudiesPage } from './StudiesPage';
export { StudyPage } from './StudyPage';
export { VerifyPage } from './VerifyPage';
