// Public API of the `qhal-gen` package: what board files and the HAL description import.
export * from './board.js';
export * from './hal.js';
