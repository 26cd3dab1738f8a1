/** The map tile URL template a station configures: what is accepted, and why the rest is refused. */
import { describe, expect, it } from 'vitest';
import { parseMapConfig, tileOrigin, tileTemplateProblem } from '../../../src/shared/map-tiles.ts';

describe('tileTemplateProblem', () => {
  it('accepts http and https templates with {z}, {x} and {y}', () => {
    for (const ok of [
      'https://tiles.example.lan/{z}/{x}/{y}.png',
      'http://10.0.0.5:8081/osm/{z}/{x}/{y}.png',
      'https://tiles.example.lan/tile?x={x}&y={y}&z={z}&style=dark',
      'http://[fd00::5]:8081/{z}/{x}/{y}.png',
      'https://bücher.example/{z}/{x}/{y}.png',
    ]) {
      expect(tileTemplateProblem(ok), ok).toBeNull();
    }
  });

  it('refuses templates that would not fetch tiles, saying why', () => {
    expect(tileTemplateProblem('https://tiles.example.lan/{z}/{x}.png')).toMatch(/missing \{y\}/);
    expect(tileTemplateProblem('https://{s}.tile.example.org/{z}/{x}/{y}.png')).toMatch(/unsupported placeholder \{s\}/);
    expect(tileTemplateProblem('tiles/{z}/{x}/{y}.png')).toMatch(/not a URL/);
    expect(tileTemplateProblem('ftp://tiles.example.lan/{z}/{x}/{y}.png')).toMatch(/http: or https:/);
    expect(tileTemplateProblem('javascript:alert(1)//{z}{x}{y}')).toMatch(/http: or https:/);
    expect(tileTemplateProblem('https://user:pw@tiles.example.lan/{z}/{x}/{y}.png')).toMatch(/user name or password/);
    expect(tileTemplateProblem('https://tiles.lan;script-src*/{z}/{x}/{y}.png')).toMatch(/not a plain DNS name/);
    expect(tileTemplateProblem("https://tiles.lan,'unsafe-inline'/{z}/{x}/{y}.png")).toMatch(/not a plain DNS name/);
    expect(tileTemplateProblem(`https://tiles.example.lan/${'a'.repeat(3000)}/{z}/{x}/{y}.png`)).toMatch(/longer than/);
  });
});

describe('tileOrigin', () => {
  it('is the scheme, host and port only', () => {
    expect(tileOrigin('https://tiles.example.lan/{z}/{x}/{y}.png?key=abc')).toBe('https://tiles.example.lan');
    expect(tileOrigin('http://10.0.0.5:8081/osm/{z}/{x}/{y}.png')).toBe('http://10.0.0.5:8081');
    expect(tileOrigin('HTTPS://Tiles.Example.LAN:443/{z}/{x}/{y}.png')).toBe('https://tiles.example.lan');
  });
});

describe('parseMapConfig', () => {
  it('keeps a valid template and turns anything else into no tiles', () => {
    expect(parseMapConfig({ mapTileUrl: 'https://t.lan/{z}/{x}/{y}.png' })).toEqual({ mapTileUrl: 'https://t.lan/{z}/{x}/{y}.png' });
    for (const bad of [null, 'x', {}, { mapTileUrl: null }, { mapTileUrl: 5 }, { mapTileUrl: 'javascript:{z}{x}{y}' }]) {
      expect(parseMapConfig(bad)).toEqual({ mapTileUrl: null });
    }
  });
});
