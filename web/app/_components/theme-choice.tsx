'use client';

import { useEffect, useState } from 'react';
import {
  applyTheme,
  parseThemeChoice,
  THEME_STORAGE_KEY,
  type ThemeChoice as Choice,
} from '../../lib/theme.ts';

/** Light, dark or the system's setting, remembered in this browser. */
export function ThemeChoice() {
  const [choice, setChoice] = useState<Choice>('system');
  useEffect(() => {
    setChoice(parseThemeChoice(localStorage.getItem(THEME_STORAGE_KEY)));
  }, []);
  return (
    <label className="theme-choice">
      <span className="visually-hidden">Theme</span>
      <select
        value={choice}
        data-testid="theme-choice"
        onChange={(event) => {
          const next = parseThemeChoice(event.target.value);
          setChoice(next);
          applyTheme(next);
        }}
      >
        <option value="system">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}
