// Resource kinds and weekdays as the API spells them; shared by the set-up
// screen and the board without pulling one screen's chunk into the other.
export const KINDS = ['unloadingZone', 'crane', 'hoist', 'gate', 'storageArea', 'other'] as const;
export type Kind = (typeof KINDS)[number];
export const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Day = (typeof DAYS)[number];
export type Hours = Partial<Record<Day, { from: string; to: string }[]>>;
