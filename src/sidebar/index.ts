export * from './EmptyState';
export * from './icons';
export * from './SidebarWidget';
export * from './StatusBanner';
