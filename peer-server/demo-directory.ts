import type { Directory } from '../src/shared/directory.ts';

/**
 * Demo data for a first start: three Quezon City stations. The positions are
 * approximate and the local numbers are placeholders; 911 is the real national
 * emergency hotline. Replace it with `npm run directory -- import <file>`.
 */
export const DEMO_DIRECTORY: Directory = {
  version: 1,
  demo: true,
  notice: 'DEMO DATA: station positions are approximate and local numbers are placeholders. Import your own directory before real use.',
  stations: [
    {
      id: 'qc-central',
      name: 'Quezon City Central Fire Station (demo)',
      address: 'Kalayaan Ave, Diliman, Quezon City (demo)',
      lat: 14.6515,
      lng: 121.0493,
      phones: ['+63 2 8000 0001'],
    },
    {
      id: 'qc-cubao',
      name: 'Cubao Fire Sub-Station (demo)',
      address: 'EDSA, Cubao, Quezon City (demo)',
      lat: 14.6196,
      lng: 121.0537,
      phones: ['+63 2 8000 0002'],
    },
    {
      id: 'qc-novaliches',
      name: 'Novaliches Fire Sub-Station (demo)',
      address: 'Quirino Hwy, Novaliches, Quezon City (demo)',
      lat: 14.7206,
      lng: 121.0368,
      phones: ['+63 2 8000 0003'],
    },
  ],
  hotlines: [{ name: 'National Emergency Hotline', number: '911' }],
};
