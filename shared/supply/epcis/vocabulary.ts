/**
 * The EPCIS 2.0 / CBV 2.0 vocabulary this mapping speaks: the standard JSON-LD context, the CBV
 * terms as the official JSON Schema enumerates them, the namespace of CareChain's own extension
 * fields, and which EPCIS event each supply transaction is.
 */

/** The GS1 EPCIS 2.0 JSON-LD context, by the address the standard publishes it under. */
export const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

/**
 * CareChain's extension namespace and the prefix documents declare it under. EPCIS 2.0 JSON-LD
 * takes user extensions as `prefix:name` keys with the prefix bound in `@context`; a reader
 * resolves the prefix, so a document may bind another prefix to the same namespace.
 */
export const CARECHAIN_PREFIX = 'carechain';
export const CARECHAIN_NS = 'https://ns.carechain.example/epcis/';

/** Local names of CareChain's extension fields (under CARECHAIN_NS). */
export const EXT = {
  /** The id (hex SHA-256) of the transaction the event was recorded by. */
  txId: 'txId',
  /** The height of the block that holds that transaction. */
  height: 'height',
  /** Why units were decommissioned, one of DECOMMISSION_REASONS. */
  decommissionReason: 'decommissionReason',
} as const;

/** The CBV web vocabulary stem of business steps, dispositions, types and components. */
export const CBV_STEM = 'https://ref.gs1.org/cbv/';
/** The GS1 web vocabulary stem of measurement types and sensor alert types. */
export const GS1_VOC_STEM = 'https://ref.gs1.org/voc/';

// The bare-string CBV terms, exactly as the official EPCIS 2.0 JSON Schema enumerates them.
// prettier-ignore
export const BIZ_STEPS = [
  'accepting', 'arriving', 'assembling', 'collecting', 'commissioning', 'consigning',
  'creating_class_instance', 'cycle_counting', 'decommissioning', 'departing', 'destroying',
  'disassembling', 'dispensing', 'encoding', 'entering_exiting', 'holding', 'inspecting',
  'installing', 'killing', 'loading', 'other', 'packing', 'picking', 'receiving', 'removing',
  'repackaging', 'repairing', 'replacing', 'reserving', 'retail_selling', 'shipping',
  'staging_outbound', 'stock_taking', 'stocking', 'storing', 'transporting', 'unloading',
  'unpacking', 'void_shipping', 'sensor_reporting', 'sampling',
] as const;
// prettier-ignore
export const DISPOSITIONS = [
  'active', 'container_closed', 'damaged', 'destroyed', 'dispensed', 'disposed', 'encoded',
  'expired', 'in_progress', 'in_transit', 'inactive', 'no_pedigree_match', 'non_sellable_other',
  'partially_dispensed', 'recalled', 'reserved', 'retail_sold', 'returned', 'sellable_accessible',
  'sellable_not_accessible', 'stolen', 'unknown', 'available', 'completeness_verified',
  'completeness_inferred', 'conformant', 'container_open', 'mismatch_instance', 'mismatch_class',
  'mismatch_quantity', 'needs_replacement', 'non_conformant', 'unavailable',
] as const;
// prettier-ignore
export const BIZ_TRANSACTION_TYPES = [
  'bol', 'cert', 'desadv', 'inv', 'pedigree', 'po', 'poc', 'prodorder', 'recadv', 'rma',
  'testprd', 'testres', 'upevt',
] as const;
export const SOURCE_DEST_TYPES = ['owning_party', 'possessing_party', 'location'] as const;
export const ERROR_REASONS = ['did_not_occur', 'incorrect_data'] as const;
// prettier-ignore
export const MEASUREMENT_TYPES = [
  'AbsoluteHumidity', 'AbsorbedDose', 'AbsorbedDoseRate', 'Acceleration', 'Radioactivity',
  'Altitude', 'AmountOfSubstance', 'AmountOfSubstancePerUnitVolume', 'Angle',
  'AngularAcceleration', 'AngularMomentum', 'AngularVelocity', 'Area', 'Capacitance',
  'Conductance', 'Conductivity', 'Count', 'Density', 'Dimensionless', 'DoseEquivalent',
  'DoseEquivalentRate', 'DynamicViscosity', 'ElectricCharge', 'ElectricCurrent',
  'ElectricCurrentDensity', 'ElectricFieldStrength', 'Energy', 'Exposure', 'Force', 'Frequency',
  'Illuminance', 'Inductance', 'Irradiance', 'KinematicViscosity', 'Length', 'LinearMomentum',
  'Luminance', 'LuminousFlux', 'LuminousIntensity', 'MagneticFlux', 'MagneticFluxDensity',
  'MagneticVectorPotential', 'Mass', 'MassConcentration', 'MassFlowRate', 'MassPerAreaTime',
  'MemoryCapacity', 'MolalityOfSolute', 'MolarEnergy', 'MolarMass', 'MolarVolume', 'Power',
  'Pressure', 'RadiantFlux', 'RadiantIntensity', 'RelativeHumidity', 'Resistance', 'Resistivity',
  'SolidAngle', 'SpecificVolume', 'Speed', 'SurfaceDensity', 'SurfaceTension', 'Temperature',
  'Time', 'Torque', 'Voltage', 'Volume', 'VolumeFlowRate', 'VolumeFraction', 'VolumetricFlux',
  'Wavenumber',
] as const;
export const SENSOR_ALERT_TYPES = ['ALARM_CONDITION', 'ERROR_CONDITION'] as const;
// prettier-ignore
export const COMPONENTS = [
  'x', 'y', 'z', 'axial_distance', 'azimuth', 'height', 'spherical_radius', 'polar_angle',
  'elevation_angle', 'easting', 'northing', 'latitude', 'longitude', 'altitude',
] as const;

export type BizStep = (typeof BIZ_STEPS)[number];
export type Disposition = (typeof DISPOSITIONS)[number];

/** A vocabulary: its bare terms and the web URI stem a bare term stands for. */
export interface Vocabulary {
  readonly terms: ReadonlySet<string>;
  /** Full URI of a bare term: stem + term. */
  readonly stem: string;
  /** The CBV 1.x URN stem of the same terms, where there is one. */
  readonly urn?: string;
}

const vocab = (terms: readonly string[], stem: string, urn?: string): Vocabulary =>
  urn === undefined ? { terms: new Set(terms), stem } : { terms: new Set(terms), stem, urn };

export const VOCABULARIES = {
  bizStep: vocab(BIZ_STEPS, `${CBV_STEM}BizStep-`, 'urn:epcglobal:cbv:bizstep:'),
  disposition: vocab(DISPOSITIONS, `${CBV_STEM}Disp-`, 'urn:epcglobal:cbv:disp:'),
  bizTransactionType: vocab(BIZ_TRANSACTION_TYPES, `${CBV_STEM}BTT-`, 'urn:epcglobal:cbv:btt:'),
  sourceDestType: vocab(SOURCE_DEST_TYPES, `${CBV_STEM}SDT-`, 'urn:epcglobal:cbv:sdt:'),
  errorReason: vocab(ERROR_REASONS, `${CBV_STEM}ER-`, 'urn:epcglobal:cbv:er:'),
  measurementType: vocab(MEASUREMENT_TYPES, GS1_VOC_STEM),
  sensorAlertType: vocab(SENSOR_ALERT_TYPES, GS1_VOC_STEM),
  component: vocab(COMPONENTS, `${CBV_STEM}Comp-`),
} as const;

/**
 * The bare CBV term a value names, in any of the spellings EPCIS 2.0 accepts: the bare string
 * of JSON-LD, the CBV web URI (also on the older gs1.org/voc stem), the CBV 1.x URN, or a CURIE
 * with the standard `cbv:` prefix. Null when the value is none of the vocabulary's terms.
 */
export function cbvTerm(v: Vocabulary, value: string): string | null {
  const candidates = [value];
  const local = v.stem.slice(v.stem.lastIndexOf('/') + 1);
  for (const stem of [v.stem, v.stem.replace('https://ref.gs1.org/cbv/', 'https://gs1.org/voc/')])
    if (value.startsWith(stem)) candidates.push(value.slice(stem.length));
  if (v.urn !== undefined && value.startsWith(v.urn)) candidates.push(value.slice(v.urn.length));
  if (local !== '' && value.startsWith(`cbv:${local}`))
    candidates.push(value.slice(`cbv:${local}`.length));
  for (const c of candidates.slice(value.includes(':') ? 1 : 0)) if (v.terms.has(c)) return c;
  return null;
}

/** The supply transactions that are EPCIS events. */
export const EPCIS_SUPPLY_TYPES = [
  'supply.commission',
  'supply.pack',
  'supply.unpack',
  'supply.ship',
  'supply.receive',
  'supply.dispense',
  'supply.decommission',
  'supply.destroy',
] as const;
export type EpcisSupplyType = (typeof EPCIS_SUPPLY_TYPES)[number];

export type EpcisEventType = 'ObjectEvent' | 'AggregationEvent';
export type EpcisAction = 'ADD' | 'OBSERVE' | 'DELETE';

/** How a supply transaction is written as an EPCIS event (CBV 2.0 business steps). */
export interface EventShape {
  readonly eventType: EpcisEventType;
  readonly action: EpcisAction;
  readonly bizStep: BizStep;
  /** The disposition written on export; absent where CBV prescribes none for the step. */
  readonly disposition?: Disposition;
  /**
   * Dispositions accepted on import (absent disposition is always accepted). A disposition
   * outside this set would say something the transaction cannot record, so it is refused.
   */
  readonly accepts: readonly Disposition[] | 'any';
}

export const EVENT_SHAPES: { readonly [T in EpcisSupplyType]: EventShape } = {
  'supply.commission': {
    eventType: 'ObjectEvent',
    action: 'ADD',
    bizStep: 'commissioning',
    disposition: 'active',
    accepts: ['active'],
  },
  'supply.pack': {
    eventType: 'AggregationEvent',
    action: 'ADD',
    bizStep: 'packing',
    accepts: 'any',
  },
  'supply.unpack': {
    eventType: 'AggregationEvent',
    action: 'DELETE',
    bizStep: 'unpacking',
    accepts: 'any',
  },
  'supply.ship': {
    eventType: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'shipping',
    disposition: 'in_transit',
    // `returned` marks a return (DSCSA saleable or non-saleable return).
    accepts: ['in_transit', 'returned'],
  },
  'supply.receive': {
    eventType: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'receiving',
    // Receipt is recorded as custody and ownership; whatever the receiver says of the goods'
    // state on arrival (in_progress, sellable_accessible, ...) changes nothing on the ledger.
    accepts: 'any',
  },
  'supply.dispense': {
    eventType: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: 'dispensing',
    disposition: 'dispensed',
    accepts: ['dispensed'],
  },
  'supply.decommission': {
    eventType: 'ObjectEvent',
    action: 'DELETE',
    bizStep: 'decommissioning',
    disposition: 'inactive',
    accepts: ['inactive', 'damaged', 'stolen'],
  },
  'supply.destroy': {
    eventType: 'ObjectEvent',
    action: 'DELETE',
    bizStep: 'destroying',
    disposition: 'destroyed',
    accepts: ['destroyed'],
  },
};

/** The supply transaction an event type, action and business step make, if the ledger has one. */
export function supplyTypeOf(
  eventType: string,
  action: string,
  bizStep: string | null,
): EpcisSupplyType | null {
  // An AggregationEvent DELETE empties its parent whatever the step is called: without
  // childEPCs it disassociates everything, which is exactly an unpack.
  if (eventType === 'AggregationEvent' && action === 'DELETE' && bizStep === null)
    return 'supply.unpack';
  for (const type of EPCIS_SUPPLY_TYPES) {
    const s = EVENT_SHAPES[type];
    if (s.eventType === eventType && s.action === action && s.bizStep === bizStep) return type;
  }
  return null;
}

/**
 * The CBV master-data attribute namespace of ILMD `lotNumber` and `itemExpirationDate`, in the
 * spellings documents bind `cbvmda` to (the XML namespace has no separator; JSON-LD contexts
 * in the wild add ":" or "#").
 */
export const CBVMDA_NAMESPACES = [
  'urn:epcglobal:cbv:mda',
  'urn:epcglobal:cbv:mda:',
  'urn:epcglobal:cbv:mda#',
] as const;
