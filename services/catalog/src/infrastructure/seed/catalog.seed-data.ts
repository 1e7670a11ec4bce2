/** Demo data: realistic enough to browse, stable SKUs that inventory seeds stock for. */

export interface SeedCategory {
  slug: string;
  name: string;
  description: string;
}

export interface SeedProduct {
  sku: string;
  name: string;
  description: string;
  category: string;
  priceMinor: number;
}

export const SEED_CURRENCY = 'USD';

export const SEED_CATEGORIES: SeedCategory[] = [
  { slug: 'audio', name: 'Audio', description: 'Headphones, speakers and everything that makes sound.' },
  { slug: 'computing', name: 'Computing', description: 'Keyboards, mice, monitors and accessories.' },
  { slug: 'home-kitchen', name: 'Home & Kitchen', description: 'Tools for cooking, coffee and the home.' },
  { slug: 'outdoors', name: 'Outdoors', description: 'Gear for hiking, camping and cycling.' },
  { slug: 'books', name: 'Books', description: 'Software engineering classics.' },
  { slug: 'apparel', name: 'Apparel', description: 'Clothing that survives on-call weeks.' },
];

export const SEED_PRODUCTS: SeedProduct[] = [
  {
    sku: 'AUD-0001',
    name: 'Studio Monitor Headphones',
    description: 'Closed-back, 50 mm drivers, detachable cable.',
    category: 'audio',
    priceMinor: 14900,
  },
  {
    sku: 'AUD-0002',
    name: 'Wireless Noise-Cancelling Earbuds',
    description: 'Six hours of playback, charging case adds 24 more.',
    category: 'audio',
    priceMinor: 19900,
  },
  {
    sku: 'AUD-0003',
    name: 'Bookshelf Speakers (Pair)',
    description: 'Powered two-way speakers with Bluetooth and optical input.',
    category: 'audio',
    priceMinor: 29900,
  },
  {
    sku: 'AUD-0004',
    name: 'USB Condenser Microphone',
    description: 'Cardioid pattern, 24-bit/96 kHz, desk stand included.',
    category: 'audio',
    priceMinor: 12900,
  },
  {
    sku: 'AUD-0005',
    name: 'Portable Bluetooth Speaker',
    description: 'Waterproof (IP67), 12-hour battery.',
    category: 'audio',
    priceMinor: 7900,
  },
  {
    sku: 'AUD-0006',
    name: 'Turntable with Built-in Preamp',
    description: 'Belt drive, two speeds, switchable phono preamp.',
    category: 'audio',
    priceMinor: 24900,
  },
  {
    sku: 'CMP-0001',
    name: 'Mechanical Keyboard, Tenkeyless',
    description: 'Hot-swappable switches, PBT keycaps, USB-C.',
    category: 'computing',
    priceMinor: 11900,
  },
  {
    sku: 'CMP-0002',
    name: 'Ergonomic Wireless Mouse',
    description: 'Vertical grip, 4000 DPI, three-device pairing.',
    category: 'computing',
    priceMinor: 6900,
  },
  {
    sku: 'CMP-0003',
    name: '27-inch 4K Monitor',
    description: 'IPS panel, USB-C with 65 W power delivery.',
    category: 'computing',
    priceMinor: 44900,
  },
  {
    sku: 'CMP-0004',
    name: 'USB-C Docking Station',
    description: 'Dual HDMI, Ethernet, SD reader, 100 W passthrough.',
    category: 'computing',
    priceMinor: 18900,
  },
  {
    sku: 'CMP-0005',
    name: 'Laptop Stand, Aluminium',
    description: 'Adjustable height, folds flat.',
    category: 'computing',
    priceMinor: 4900,
  },
  { sku: 'CMP-0006', name: '1 TB Portable SSD', description: 'USB 3.2 Gen 2, up to 1050 MB/s.', category: 'computing', priceMinor: 10900 },
  {
    sku: 'CMP-0007',
    name: 'HD Webcam with Privacy Shutter',
    description: '1080p at 60 fps, dual microphones.',
    category: 'computing',
    priceMinor: 8900,
  },
  {
    sku: 'KIT-0001',
    name: 'Burr Coffee Grinder',
    description: '40 grind settings from espresso to cold brew.',
    category: 'home-kitchen',
    priceMinor: 13900,
  },
  {
    sku: 'KIT-0002',
    name: 'Pour-Over Coffee Kettle',
    description: 'Gooseneck spout, variable temperature, 0.9 l.',
    category: 'home-kitchen',
    priceMinor: 8900,
  },
  {
    sku: 'KIT-0003',
    name: 'Cast Iron Skillet, 26 cm',
    description: 'Pre-seasoned, oven safe.',
    category: 'home-kitchen',
    priceMinor: 3900,
  },
  {
    sku: 'KIT-0004',
    name: "Chef's Knife, 20 cm",
    description: 'High-carbon stainless steel, full tang.',
    category: 'home-kitchen',
    priceMinor: 7900,
  },
  {
    sku: 'KIT-0005',
    name: 'Digital Kitchen Scale',
    description: '0.1 g resolution up to 3 kg, tare function.',
    category: 'home-kitchen',
    priceMinor: 2900,
  },
  {
    sku: 'KIT-0006',
    name: 'French Press, 1 l',
    description: 'Borosilicate glass with stainless steel frame.',
    category: 'home-kitchen',
    priceMinor: 3400,
  },
  {
    sku: 'OUT-0001',
    name: 'Ultralight Two-Person Tent',
    description: 'Freestanding, 1.6 kg packed, three-season.',
    category: 'outdoors',
    priceMinor: 34900,
  },
  {
    sku: 'OUT-0002',
    name: 'Down Sleeping Bag, -5 °C',
    description: '650-fill down, compression sack included.',
    category: 'outdoors',
    priceMinor: 27900,
  },
  {
    sku: 'OUT-0003',
    name: 'Trekking Poles (Pair)',
    description: 'Carbon fibre, cork grips, flick locks.',
    category: 'outdoors',
    priceMinor: 11900,
  },
  {
    sku: 'OUT-0004',
    name: 'Headlamp, 400 Lumens',
    description: 'Rechargeable, red light mode, IPX4.',
    category: 'outdoors',
    priceMinor: 4400,
  },
  {
    sku: 'OUT-0005',
    name: 'Insulated Water Bottle, 750 ml',
    description: 'Keeps drinks cold for 24 hours.',
    category: 'outdoors',
    priceMinor: 3200,
  },
  {
    sku: 'OUT-0006',
    name: 'Bike Multi-Tool',
    description: '18 functions including chain breaker.',
    category: 'outdoors',
    priceMinor: 2700,
  },
  {
    sku: 'BOK-0001',
    name: 'Designing Data-Intensive Applications',
    description: 'Reliable, scalable and maintainable systems.',
    category: 'books',
    priceMinor: 4999,
  },
  {
    sku: 'BOK-0002',
    name: 'Domain-Driven Design',
    description: 'Tackling complexity in the heart of software.',
    category: 'books',
    priceMinor: 5499,
  },
  { sku: 'BOK-0003', name: 'Building Microservices', description: 'Designing fine-grained systems.', category: 'books', priceMinor: 4499 },
  {
    sku: 'BOK-0004',
    name: 'Release It!',
    description: 'Design and deploy production-ready software.',
    category: 'books',
    priceMinor: 3999,
  },
  {
    sku: 'BOK-0005',
    name: 'Site Reliability Engineering',
    description: 'How Google runs production systems.',
    category: 'books',
    priceMinor: 4299,
  },
  {
    sku: 'APP-0001',
    name: 'Merino Wool Hoodie',
    description: 'Temperature regulating, machine washable.',
    category: 'apparel',
    priceMinor: 12900,
  },
  {
    sku: 'APP-0002',
    name: 'Waterproof Shell Jacket',
    description: 'Three-layer membrane, taped seams, packable hood.',
    category: 'apparel',
    priceMinor: 21900,
  },
  {
    sku: 'APP-0003',
    name: 'Organic Cotton T-Shirt',
    description: 'Heavyweight jersey, relaxed fit.',
    category: 'apparel',
    priceMinor: 2900,
  },
  {
    sku: 'APP-0004',
    name: 'Trail Running Shoes',
    description: 'Rock plate, 6 mm drop, grippy lugs.',
    category: 'apparel',
    priceMinor: 13900,
  },
];
