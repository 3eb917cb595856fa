/**
 * A result whose JSON text is already written (for instance spliced together from parts that never change).
 * The cache stores `text` as it is instead of serializing the value again; anything else that serializes it
 * gets the same JSON through `toJSON`, only slower.
 */
export class JsonText {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    return JSON.parse(this.text) as unknown;
  }
}
