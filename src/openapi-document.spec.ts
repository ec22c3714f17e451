import { stableOpenApiJson } from './openapi-document';

describe(stableOpenApiJson.name, () => {
  it('sorts object keys at every level, keeps array order, and ends with a newline', () => {
    const text = stableOpenApiJson({ b: { z: 1, a: [3, { y: 1, x: 2 }, 1] }, a: null });
    expect(text).toBe(
      '{\n  "a": null,\n  "b": {\n    "a": [\n      3,\n      {\n        "x": 2,\n        "y": 1\n      },\n      1\n    ],\n    "z": 1\n  }\n}\n',
    );
  });

  it('gives the same text for the same document built in another key order', () => {
    expect(stableOpenApiJson({ paths: { '/b': {}, '/a': {} }, info: {} })).toBe(
      stableOpenApiJson({ info: {}, paths: { '/a': {}, '/b': {} } }),
    );
  });
});
