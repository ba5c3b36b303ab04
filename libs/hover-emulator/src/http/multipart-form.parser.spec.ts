import { parseMultipartFields } from './multipart-form.parser';

describe('parseMultipartFields', () => {
  const body = (boundary: string, parts: string[]) => Buffer.from(`${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}--${boundary}--\r\n`);

  it('reads text fields, skips file parts, keeps the first of a repeated name', () => {
    const raw = body('XyZ', [
      'Content-Disposition: form-data; name="grant_type"\r\n\r\nauthorization_code',
      'Content-Disposition: form-data; name="code"\r\nContent-Type: text/plain\r\n\r\nab\r\ncd',
      'Content-Disposition: form-data; name="upload"; filename="a.txt"\r\n\r\nfile body',
      'Content-Disposition: form-data; name="code"\r\n\r\nsecond',
      'Content-Disposition: form-data; name="note"\r\n\r\nünïcode',
    ]);
    expect(parseMultipartFields(raw, 'multipart/form-data; boundary=XyZ')).toEqual({
      grant_type: 'authorization_code',
      code: 'ab\r\ncd',
      note: 'ünïcode',
    });
  });

  it('accepts a quoted boundary and an empty value', () => {
    const raw = body('a b', ['Content-Disposition: form-data; name="state"\r\n\r\n']);
    expect(parseMultipartFields(raw, 'multipart/form-data; boundary="a b"')).toEqual({ state: '' });
  });

  it('throws without a boundary or on a truncated body', () => {
    expect(() => parseMultipartFields(Buffer.from('x'), 'multipart/form-data')).toThrow('boundary');
    expect(() => parseMultipartFields(Buffer.from('--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nv'), 'multipart/form-data; boundary=B')).toThrow(
      'unterminated',
    );
  });
});
