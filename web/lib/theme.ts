/** Light, dark, or whatever the system says (the default). */
export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_STORAGE_KEY = 'factorlab-theme';
/** Dispatched on window when the viewer picks a theme, for what draws its own colours (charts). */
export const THEME_CHANGE_EVENT = 'factorlab-theme-change';

/**
 * Run in <head> before the first paint, so a chosen theme never flashes the other one. Kept in
 * step with applyTheme by test/e2e/dashboard-keyboard.test.ts (a reload keeps the choice).
 */
export const THEME_INIT_SCRIPT =
  `try{var t=localStorage.getItem(${JSON.stringify(THEME_STORAGE_KEY)});` +
  `if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}`;

export function parseThemeChoice(value: string | null): ThemeChoice {
  return value === 'light' || value === 'dark' ? value : 'system';
}

/** Shows `choice` now and remembers it in this browser. */
export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') {
    delete root.dataset.theme;
    localStorage.removeItem(THEME_STORAGE_KEY);
  } else {
    root.dataset.theme = choice;
    localStorage.setItem(THEME_STORAGE_KEY, choice);
  }
  window.dispatchEvent(new Event(THEME_CHANGE_EVENT));
}

/** Whether the page is dark now: the viewer's choice, else the system's setting. */
export function isDarkNow(): boolean {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === 'dark' || chosen === 'light') return chosen === 'dark';
  return window.matchMedia('(prefers-color-scheme: dark)').matches;
}
