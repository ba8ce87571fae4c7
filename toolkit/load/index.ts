export { loadBoard, loadBoards, type LoadBoardOptions, type LoadedBoards } from './board.js';
export { loadHal, type LoadedHal } from './hal.js';
export { InputError, formatDiagnostic, displayPath, type Diagnostic } from './diagnostic.js';
export { loadGenerateInputs } from './generate-inputs.js';
