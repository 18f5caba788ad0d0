/*
 * The Supply section's layout and pages, loaded together the first time the section opens
 * (routes.tsx imports them lazily): the console's first paint does not wait for them.
 */
export { AlertsPage } from './AlertsPage';
export { ContainerPage } from './ContainerPage';
export { EpcisPage } from './EpcisPage';
export { LotPage } from './LotPage';
export { NewRecallPage } from './NewRecallPage';
export { ProductPage } from './ProductPage';
export { ProductsPage } from './ProductsPage';
export { RecallPage } from './RecallPage';
export { RecallsPage } from './RecallsPage';
export { RecordActionPage, RecordIndexPage } from './record/RecordPage';
export { RegisterProductPage } from './RegisterProductPage';
export { ShipmentPage } from './ShipmentPage';
export { ShipmentsPage } from './ShipmentsPage';
export { StockPage } from './StockPage';
export { SupplyLayout } from './SupplyLayout';
export { UnitPage } from './UnitPage';
export { VerifyPage } from './VerifyPage';
