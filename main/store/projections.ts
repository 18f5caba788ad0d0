import { permissionsProjection } from '../permissions/projection';
import { supplyProjection } from '../supply/projection';
import type { Projection } from './projection';

/** Every domain's projections, in the order they run on each block. */
export const PROJECTIONS: readonly Projection[] = [supplyProjection, permissionsProjection];
