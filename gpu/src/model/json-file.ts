import { open } from 'node:fs/promises';
import { ModelFileError } from './model-file-error.ts';

/** config.json and index files are kilobytes; anything past this is not one. */
const MAX_JSON_FILE_BYTES = 64 * 1024 * 1024;

/** Reads and parses a small JSON file, refusing a huge one before allocating for it. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_JSON_FILE_BYTES)
        throw new ModelFileError(file, `${size} bytes, over the ${MAX_JSON_FILE_BYTES}-byte limit`);
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof ModelFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelFileError(file, code === 'ENOENT' ? 'file not found' : `cannot read (${code})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelFileError(file, 'not valid JSON');
  }
}
